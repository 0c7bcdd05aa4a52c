// The runtime suite's entry: `node packages/hono/test-runtimes/run.mjs [runtime...]`.
// Bundles suite.ts (which imports the devtools collector from source) and runs it
// on every runtime whose binary came from the npm registry with this package.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { sourceAliases } from './source-aliases.mjs';

const dir = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(dir, 'package.json'));
const packageDir = (name) => {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return join(dir, 'node_modules', name);
  }
};
const node = (major) => join(packageDir(`node${major}`), 'bin', 'node');

const runtimes = [
  { name: 'node20', kind: 'server', binary: node(20) },
  { name: 'node22', kind: 'server', binary: node(22) },
  { name: 'node24', kind: 'server', binary: node(24) },
  { name: 'bun', kind: 'server', binary: join(packageDir('@oven/bun-linux-x64'), 'bin', 'bun') },
  {
    name: 'deno',
    kind: 'server',
    binary: join(packageDir('@deno/linux-x64-glibc'), 'deno'),
    args: ['run', '--allow-net'],
    needs: '`--allow-net`',
  },
  {
    name: 'workerd',
    kind: 'worker',
    binary: node(22),
    flags: 'nodejs_compat',
    needs: '`nodejs_compat` for the implicit context',
  },
  {
    name: 'workerd-noflags',
    kind: 'worker',
    binary: node(22),
    flags: '',
    context: 'none',
  },
];

const only = process.argv.slice(2);
// Inside the package, so the bundles resolve esbuild from its node_modules.
const outDir = join(dir, '.out');
mkdirSync(outDir, { recursive: true });
const suite = join(outDir, 'suite.mjs');
await build({
  entryPoints: [join(dir, 'suite.ts')],
  outfile: suite,
  bundle: true,
  format: 'esm',
  platform: 'node',
  external: ['esbuild'],
  plugins: [sourceAliases(join(dir, '..', '..'))],
  logLevel: 'warning',
});
const { runSuite } = await import(pathToFileURL(suite).href);
const ok = await runSuite({
  dir,
  outDir,
  runtimes: only.length === 0 ? runtimes : runtimes.filter((r) => only.includes(r.name)),
  workerHostNode: node(22),
  requests: 100,
});
process.exit(ok ? 0 : 1);
