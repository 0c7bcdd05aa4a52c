import { tracewireProject } from '../../vitest.shared';
import { otelApiEsm } from './vitest.shared-api';

/**
 * The bridge's own tests once more against the lowest @opentelemetry/api it
 * supports, 1.3.0 (installed as `otel-api-13`): every import of
 * `@opentelemetry/api`, the bridge's and the tests', resolves to it.
 */
export default tracewireProject('opentelemetry-api13', {
  plugins: [otelApiEsm('otel-api-13')],
  test: {
    include: ['test/bridge.test.ts', 'test/register.test.ts'],
    env: { TRACEWIRE_OTEL_API: 'otel-api-13', TRACEWIRE_OTEL_API_VERSION: '1.3.0' },
    server: { deps: { inline: [/@opentelemetry\+api@1\.3\.0\//] } },
  },
});
