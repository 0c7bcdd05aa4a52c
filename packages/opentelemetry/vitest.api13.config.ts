import { tracewireProject } from '../../vitest.shared';

/**
 * The bridge's own tests once more against the lowest @opentelemetry/api it
 * supports, 1.3.0 (installed as `otel-api-13`): every import of
 * `@opentelemetry/api`, the bridge's and the tests', resolves to it.
 */
export default tracewireProject('opentelemetry-api13', {
  plugins: [
    {
      name: 'tracewire:otel-api-13',
      enforce: 'pre',
      async resolveId(id, importer) {
        if (id !== '@opentelemetry/api') return null;
        const resolved = await this.resolve('otel-api-13', importer, { skipSelf: true });
        // Its ESM build, as a bundler picks it (1.3.0 has `module` but no `exports`).
        return resolved && { ...resolved, id: resolved.id.replace('/build/src/', '/build/esm/') };
      },
    },
  ],
  ssr: { resolve: { conditions: ['module', 'node', 'import', 'default'] } },
  test: {
    include: ['test/bridge.test.ts', 'test/register.test.ts'],
    env: { TRACEWIRE_OTEL_API: 'otel-api-13' },
    server: { deps: { inline: ['@opentelemetry/api', /@opentelemetry\+api@1\.3\.0/] } },
  },
});
