import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

export default defineConfig(
  packageBuild(
    { index: 'src/index.ts' },
    // Both declaration builds point at the one file that augments Express.Request (see it).
    { dts: { banner: '/// <reference path="../express-request.d.ts" />' } },
  ),
);
