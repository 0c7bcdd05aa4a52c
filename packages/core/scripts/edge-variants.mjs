// esbuild plugin for core's edge build (Cloudflare Workers, Vercel Edge): a
// relative import of `x` whose folder also holds `x.edge.ts` gets that file.
// Those files hold the few Node-specific parts (context store, ids, transport,
// client hooks, Node responses, package lookup) with fetch-runtime equivalents,
// so the edge build imports no `node:*` module. Used by tsup.edge.config.ts and
// by the Hono runtime suite's worker bundles.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** @param {string} sources core's src folder: only imports made from inside it are swapped */
export function edgeVariants(sources) {
  return {
    name: 'tracewire-edge-variants',
    /** @param {import('esbuild').PluginBuild} build */
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, ({ path, importer }) => {
        if (!importer.startsWith(sources) || importer.endsWith('.edge.ts')) return undefined;
        const variant = `${join(dirname(importer), path)}.edge.ts`;
        return existsSync(variant) ? { path: variant } : undefined;
      });
    },
  };
}
