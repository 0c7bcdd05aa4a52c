import { tracewireProject } from '../../vitest.shared';
import { otelApiEsm } from './vitest.shared-api';

export default tracewireProject('opentelemetry', {
  plugins: [otelApiEsm('@opentelemetry/api')],
  test: {
    env: { TRACEWIRE_OTEL_API_VERSION: '1.9.' },
    server: { deps: { inline: [/@opentelemetry\+api@1\.9\.\d+\/.*\/build\/esm\//] } },
  },
});
