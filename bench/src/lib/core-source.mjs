// Bundles a module of @tracewire/core's source (for internals its entry does not
// export, such as id generation) into bench/.build/ with esbuild, once per content.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const coreDir = dirname(require.resolve('@tracewire/core/package.json'));
const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages');
const buildDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.build');

/**
 * Returns a file URL of an ESM bundle re-exporting `names` from
 * `packages/core/src/<file>`.
 *
 * @example const { newSpanId } = await import(await buildCoreModule('internal/ids.ts', ['newSpanId']));
 */
export async function buildCoreModule(file, names) {
  return buildSourceModule(coreDir, file, names, []);
}

/**
 * The same for another package of this repository (`packages/<name>`), with
 * `@tracewire/core` left to its built entry.
 *
 * @example const { encodeTraces } = await import(await buildPackageModule('otlp', 'internal/proto-encode.ts', ['encodeTraces']));
 */
export async function buildPackageModule(name, file, names) {
  return buildSourceModule(join(packagesDir, name), file, names, ['@tracewire/core']);
}

async function buildSourceModule(packageDir, file, names, external) {
  const { build } = await import('esbuild');
  const source = join(packageDir, 'src', file);
  if (!existsSync(source)) throw new Error(`bench: ${source} does not exist`);
  const contents = `export { ${names.join(', ')} } from ${JSON.stringify(source)};`;
  const hash = createHash('sha1').update(contents).digest('hex').slice(0, 10);
  mkdirSync(buildDir, { recursive: true });
  const outfile = join(buildDir, `src-${hash}.mjs`);
  await build({
    stdin: { contents, resolveDir: packageDir, sourcefile: 'entry.ts', loader: 'ts' },
    bundle: true,
    external,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    sourcemap: true,
    logLevel: 'error',
  });
  return pathToFileURL(outfile).href;
}
