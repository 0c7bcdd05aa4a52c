import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
// @ts-expect-error a plain ESM build script, without declarations
import { edgeVariants } from './scripts/edge-variants.mjs';

/**
 * The edge build (`dist/edge`): the root and `/http` entries for fetch runtimes,
 * chosen by the `workerd`, `worker` and `edge-light` export conditions. The
 * same sources, with each `x.edge.ts` in place of `x.ts`: no `node:*` import, so
 * Workers load it without `nodejs_compat` (and use AsyncLocalStorage with it).
 * Types are the Node build's: the API is the same.
 */
export default defineConfig({
  entry: { index: 'src/index.ts', 'http/index': 'src/http/index.ts' },
  outDir: 'dist/edge',
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  treeshake: true,
  splitting: true,
  esbuildPlugins: [edgeVariants(fileURLToPath(new URL('./src/', import.meta.url)))],
});
