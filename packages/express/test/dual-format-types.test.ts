import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../', import.meta.url));
const fixture = join(packageDir, 'test/fixtures/dual-format');

beforeAll(() => {
  // The published declarations are what is checked; `pnpm build` normally made them already.
  for (const dir of [join(packageDir, '../core'), packageDir]) {
    if (!existsSync(join(dir, 'dist/index.d.cts'))) {
      execFileSync('pnpm', ['run', 'build'], { cwd: dir, stdio: 'ignore' });
    }
  }
}, 180_000);

it('type-checks a project with both .mts and .cts files (req.trace declared once)', () => {
  // Resolved as a user's project resolves it: `@tracewire/express` through the
  // package's exports (the package's own name), `import` and `require` each to
  // its own declaration file.
  const program = ts.createProgram([join(fixture, 'esm.mts'), join(fixture, 'commonjs.cts')], {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ['node'],
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const file = d.file ? d.file.fileName.replace(packageDir, '') : '';
    return `${file} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
  // Both builds were loaded: the check is on the real situation, not on one of them.
  const loaded = program.getSourceFiles().map((f) => f.fileName);
  expect(loaded.some((f) => f.endsWith('express/dist/index.d.ts'))).toBe(true);
  expect(loaded.some((f) => f.endsWith('express/dist/index.d.cts'))).toBe(true);
  expect(problems).toEqual([]);
}, 60_000);
