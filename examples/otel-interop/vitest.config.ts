import { tracewireProject } from '../../vitest.shared';

export default tracewireProject('otel-interop');
