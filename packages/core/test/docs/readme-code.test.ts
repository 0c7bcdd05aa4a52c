import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every `ts`/`js` code block of every README (the root one and each package's,
 * new packages included) is type-checked against the sources, so a snippet a
 * user copies compiles. A block may be preceded by a hidden prelude, an HTML
 * comment that GitHub does not show, holding what the snippet assumes
 * (`const app = express();`, placeholders such as `db`):
 *
 * <!-- prelude
 * declare const db: { users: { find(id: string): Promise<object> } };
 * -->
 *
 * A block is compiled in the package whose `@tracewire/*` adapter it imports
 * (so `express`, `hono`, `@nestjs/common` resolve from that package's
 * dependencies), else in the README's own package.
 */
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const packagesDir = join(repo, 'packages');

interface Snippet {
  readme: string;
  line: number;
  lang: 'ts' | 'js';
  code: string;
  packageDir: string;
}

const packageNames = readdirSync(packagesDir).filter((name) =>
  existsSync(join(packagesDir, name, 'package.json')),
);

function snippetsOf(readme: string, ownPackage: string | undefined): Snippet[] {
  const lines = readFileSync(readme, 'utf8').split('\n');
  const found: Snippet[] = [];
  let prelude: string[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '<!-- prelude') {
      const end = lines.indexOf('-->', i);
      prelude = lines.slice(i + 1, end);
      i = end;
      continue;
    }
    const fence = /^```(ts|typescript|js|javascript)\s*$/.exec(line);
    if (fence === null) {
      if (line.trim() !== '') prelude = undefined;
      continue;
    }
    const end = lines.indexOf('```', i + 1);
    const body = lines.slice(i + 1, end);
    const lang = fence[1]!.startsWith('t') ? 'ts' : 'js';
    const code = [...(prelude ?? []), ...body].join('\n');
    const adapter = /from '@tracewire\/([a-z-]+)'/g;
    let target = ownPackage;
    for (const match of code.matchAll(adapter)) {
      if (match[1] !== 'core' && match[1] !== 'otlp') target = match[1];
    }
    found.push({
      readme: relative(repo, readme),
      line: i + 1,
      lang,
      code,
      packageDir: join(packagesDir, target ?? 'core'),
    });
    prelude = undefined;
    i = end;
  }
  return found;
}

const readmes = [
  { file: join(repo, 'README.md'), own: undefined },
  ...packageNames
    .filter((name) => existsSync(join(packagesDir, name, 'README.md')))
    .map((name) => ({ file: join(packagesDir, name, 'README.md'), own: name })),
];
const snippets = readmes.flatMap(({ file, own }) => snippetsOf(file, own));

/** `@tracewire/<pkg>` and `@tracewire/<pkg>/<sub>` resolve to sources, as in the tests. */
const paths: Record<string, string[]> = {};
for (const name of packageNames) {
  paths[`@tracewire/${name}`] = [join(packagesDir, name, 'src/index.ts')];
  paths[`@tracewire/${name}/*`] = [join(packagesDir, name, 'src/*/index.ts')];
}

/** TypeScript blocks strictly; JavaScript blocks as a JS user's editor checks them (no strict). */
function check(group: Snippet[]): string[] {
  return [
    ...checkAs(
      group.filter((s) => s.lang === 'ts'),
      'ts',
    ),
    ...checkAs(
      group.filter((s) => s.lang === 'js'),
      'js',
    ),
  ];
}

function checkAs(group: Snippet[], lang: 'ts' | 'js'): string[] {
  if (group.length === 0) return [];
  const packageDir = group[0]!.packageDir;
  const dir = join(packageDir, `node_modules/.cache/tracewire-readme-${lang}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = group.map((snippet, index) => {
    // A module of its own each (`export {}`), so snippets never share top-level names.
    const file = join(dir, `snippet-${index}.${snippet.lang === 'ts' ? 'mts' : 'mjs'}`);
    writeFileSync(file, `${snippet.code}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    typeRoots: [join(repo, 'node_modules/@types')],
    strict: lang === 'ts',
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    allowJs: true,
    checkJs: true,
    experimentalDecorators: packageDir.endsWith('nestjs'),
    emitDecoratorMetadata: packageDir.endsWith('nestjs'),
    paths,
  });
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || files.includes(d.file.fileName))
    .map((d) => {
      const index = d.file ? files.indexOf(d.file.fileName) : -1;
      const snippet = group[index];
      const at =
        d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const where = snippet ? `${snippet.readme} block at line ${snippet.line}` : 'unknown';
      return `${where} (snippet line ${(at?.line ?? 0) + 1}): TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  rmSync(dir, { recursive: true, force: true });
  return problems;
}

describe('README code blocks', () => {
  it('finds the blocks of every README, the root one included', () => {
    expect(snippets.some((s) => s.readme === 'README.md')).toBe(true);
    expect(new Set(snippets.map((s) => dirname(s.readme))).size).toBeGreaterThan(3);
  });

  const groups = new Map<string, Snippet[]>();
  for (const snippet of snippets) {
    groups.set(snippet.packageDir, [...(groups.get(snippet.packageDir) ?? []), snippet]);
  }
  it.each([...groups.keys()].map((dir) => [relative(repo, dir), groups.get(dir)!] as const))(
    'type-check, compiled in %s',
    (_dir, group) => {
      expect(check(group)).toEqual([]);
    },
    60_000,
  );
});
