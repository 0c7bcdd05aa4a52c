import { tracewireProject } from '../../vitest.shared';

export default tracewireProject('opentelemetry', {
  // Resolved as an app's bundler resolves it (the `module` condition): the tests and
  // the bridge run on the ESM copy of @opentelemetry/api, while instrumentations
  // `require()` the CommonJS copy, so both copies are exercised together.
  ssr: { resolve: { conditions: ['module', 'node', 'import', 'default'] } },
  test: { server: { deps: { inline: ['@opentelemetry/api'] } } },
});
