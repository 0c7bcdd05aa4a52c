import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const expected = { names: ['outer', 'inner'], nested: true };

function run(file: string): unknown {
  const out = execFileSync(process.execPath, [file], { cwd: packageDir, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

beforeAll(() => {
  // The suite checks the published build; `pnpm build` normally made it already.
  if (!existsSync(join(packageDir, 'dist/index.cjs'))) {
    execFileSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'ignore' });
  }
}, 120_000);

describe('the built @tracewire/core', () => {
  it('exports from both builds exactly what the sources export', async () => {
    const source = Object.keys(await import('@tracewire/core')).sort();
    const names = (format: 'import' | 'require') =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            format === 'import' ? '--input-type=module' : '--input-type=commonjs',
            '-e',
            format === 'import'
              ? "console.log(JSON.stringify(Object.keys(await import('@tracewire/core')).sort()))"
              : "console.log(JSON.stringify(Object.keys(require('@tracewire/core')).sort()))",
          ],
          { cwd: packageDir, encoding: 'utf8' },
        ),
      );
    expect(names('import')).toEqual(source);
    expect(names('require')).toEqual(source);
  });

  it('works from ESM import', () => {
    expect(run(join(fixtures, 'app.mjs'))).toEqual(expected);
  });

  it('works from CommonJS require', () => {
    expect(run(join(fixtures, 'app.cjs'))).toEqual(expected);
  });

  it('shares one context between its ESM and CJS builds loaded together', () => {
    expect(run(join(fixtures, 'dual.mjs'))).toEqual({ distinctCopies: true, sameTrace: true });
  });

  it.each(['esm', 'cjs'] as const)('works bundled by esbuild into one %s file', async (format) => {
    const outdir = mkdtempSync(join(tmpdir(), 'tracewire-bundle-'));
    const outfile = join(outdir, format === 'esm' ? 'bundle.mjs' : 'bundle.cjs');
    await build({
      entryPoints: [join(fixtures, format === 'esm' ? 'app.mjs' : 'app.cjs')],
      bundle: true,
      platform: 'node',
      format,
      outfile,
      absWorkingDir: packageDir,
      logLevel: 'silent',
    });
    expect(run(outfile)).toEqual(expected);
  });
});
