import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import type { Plugin } from 'vite';
import { tracewireProject } from '../../vitest.shared';

const packageDir = fileURLToPath(new URL('./', import.meta.url));

/**
 * Reruns this package's tests on Nest 11. Nest 11 is installed as the
 * dependencies of test/nest11 (a package of its own, so that Nest 11's packages
 * get each other as peers, where aliases next to Nest 12 would get Nest 12's).
 * Whatever test/nest11.test.ts imports from this package (tests, fixtures, the
 * adapter's sources) is loaded again under a virtual `.nest11/` copy of the
 * package, in which `@nestjs/*` and `rxjs` resolve to Nest 11's.
 */
function onNest11(): Plugin {
  const scope = `${packageDir}.nest11/`;
  const entry = `${packageDir}test/nest11.test.ts`;
  const fixture = createRequire(import.meta.url).resolve(
    '@tracewire/nestjs-test-nest11/package.json',
  );
  const nest11 = createRequire(fixture);
  const own = (path: string) =>
    [path, `${path}.ts`, `${path}/index.ts`].find(
      (file) => existsSync(file) && file.endsWith('.ts'),
    );
  return {
    name: 'tracewire:nest11',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer === undefined || !(importer === entry || importer.startsWith(scope)))
        return null;
      if (/^(@nestjs\/|rxjs(\/|$))/.test(source)) return nest11.resolve(source);
      // Relative imports, and `@tracewire/nestjs`, which the source alias made a path under src/.
      const target = source.startsWith('.') ? resolve(dirname(importer), source) : source;
      const real = target.startsWith(scope) ? packageDir + target.slice(scope.length) : target;
      if (!real.startsWith(packageDir)) return null;
      const file = own(real);
      return file === undefined ? null : scope + relative(packageDir, file);
    },
    load(id) {
      return id.startsWith(scope)
        ? readFileSync(packageDir + id.slice(scope.length), 'utf8')
        : null;
    },
  };
}

// Nest reads constructor and parameter types from decorator metadata, which
// vitest's default (esbuild) transform drops: SWC emits it, as configured by
// tsconfig.json (experimentalDecorators, emitDecoratorMetadata).
export default tracewireProject('nestjs', {
  plugins: [onNest11(), swc.vite()],
});
