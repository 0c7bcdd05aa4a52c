import { tracewireProject } from '../../vitest.shared';
import { otelApiEsm } from './vitest.shared-api';

/**
 * The bridge's own tests against the newest 1.x @opentelemetry/api (installed as
 * `otel-api-latest`), newer than the 1.9 the instrumentations are tested with.
 */
export default tracewireProject('opentelemetry-api-latest', {
  plugins: [otelApiEsm('otel-api-latest')],
  test: {
    include: ['test/bridge.test.ts', 'test/register.test.ts'],
    env: { TRACEWIRE_OTEL_API: 'otel-api-latest', TRACEWIRE_OTEL_API_VERSION: '1.10.' },
    server: { deps: { inline: [/@opentelemetry\+api@1\.1\d\.\d+\//] } },
  },
});
