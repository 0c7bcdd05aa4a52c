// esbuild plugin: `@tracewire/<pkg>` resolves to <packages>/<pkg>/src/index.ts and
// `@tracewire/<pkg>/<sub>` to <packages>/<pkg>/src/<sub>/index.ts, as the vitest
// projects resolve them, so the suite runs the sources without a build.
import { join } from 'node:path';

/** @param {string} packages the monorepo's packages/ folder */
export function sourceAliases(packages) {
  return {
    name: 'tracewire-sources',
    /** @param {import('esbuild').PluginBuild} build */
    setup(build) {
      build.onResolve({ filter: /^@tracewire\/[a-z-]+(\/[a-z-]+)?$/ }, ({ path }) => {
        const [, name, sub] = path.split('/');
        if (name === 'hono-runtimes') return undefined;
        return { path: join(packages, name, 'src', ...(sub ? [sub] : []), 'index.ts') };
      });
    },
  };
}
