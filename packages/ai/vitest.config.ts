import { tracewireProject } from '../../vitest.shared';

export default tracewireProject('ai');
