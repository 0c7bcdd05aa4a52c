import { tracewireProject } from '../../vitest.shared';

// --expose-gc: one test checks that a stream nobody reads still ends its span once collected.
export default tracewireProject('ai', { test: { execArgv: ['--expose-gc'] } });
