// esbuild plugin: `@tracewire/<pkg>` resolves to <packages>/<pkg>/src/index.ts and
// `@tracewire/<pkg>/<sub>` to <packages>/<pkg>/src/<sub>/index.ts, as the vitest
// projects resolve them, so the suite runs the sources without a build.
import { join } from 'node:path';
import { edgeVariants } from '../../core/scripts/edge-variants.mjs';

/**
 * @param {string} packages the monorepo's packages/ folder
 * @param {{ edge?: boolean }} [options] `edge`: core's edge build (its `x.edge.ts` files), as workerd gets it
 */
export function sourceAliases(packages, options = {}) {
  const edge = options.edge ? edgeVariants(join(packages, 'core', 'src')) : undefined;
  return {
    name: 'tracewire-sources',
    /** @param {import('esbuild').PluginBuild} build */
    setup(build) {
      edge?.setup(build);
      build.onResolve({ filter: /^@tracewire\/[a-z-]+(\/[a-z-]+)?$/ }, ({ path }) => {
        const [, name, sub] = path.split('/');
        if (name === 'hono-runtimes') return undefined;
        return { path: join(packages, name, 'src', ...(sub ? [sub] : []), 'index.ts') };
      });
    },
  };
}
