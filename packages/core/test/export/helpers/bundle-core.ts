import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Bundles core's current sources into `dir` as `core.mjs` and `core.cjs`, for
 * tests that run real child processes without waiting for `pnpm build`: the
 * root entry, plus `ExportPipeline` from the adapter authors' `/http` subpath.
 */
export async function bundleCore(dir: string): Promise<{ esm: string; cjs: string }> {
  const out = { esm: join(dir, 'core.mjs'), cjs: join(dir, 'core.cjs') };
  for (const format of ['esm', 'cjs'] as const) {
    await build({
      stdin: {
        contents:
          "export * from './src/index.ts';\nexport { ExportPipeline } from './src/http/index.ts';\n",
        resolveDir: packageDir,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format,
      outfile: out[format],
      logLevel: 'silent',
    });
  }
  return out;
}
