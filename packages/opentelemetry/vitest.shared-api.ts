import type { Plugin } from 'vite';

/**
 * Resolves `@opentelemetry/api`, in the tests and the bridge, to `pkg`'s ESM
 * build, as an app's bundler picks it (the `module` field), while the
 * instrumentations Node loads `require()` its CommonJS build: both copies of the
 * API are exercised together, as in a bundled app.
 */
export function otelApiEsm(pkg: string): Plugin {
  return {
    name: 'tracewire:otel-api-esm',
    enforce: 'pre',
    async resolveId(id, importer) {
      if (id !== '@opentelemetry/api') return null;
      const resolved = await this.resolve(pkg, importer, { skipSelf: true });
      return resolved && { ...resolved, id: resolved.id.replace('/build/src/', '/build/esm/') };
    },
  };
}
