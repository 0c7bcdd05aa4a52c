import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// `cli` keeps the `#!/usr/bin/env node` line of src/cli.ts; only the library entry gets types.
export default defineConfig(
  packageBuild({ index: 'src/index.ts', cli: 'src/cli.ts' }, { dts: { entry: 'src/index.ts' } }),
);
