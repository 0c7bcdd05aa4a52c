import { createContextKey } from '@opentelemetry/api';

// `createContextKey` is `Symbol.for(description)`, so these are the very keys every
// copy of @opentelemetry/api (ESM, CommonJS, 1.3 to 1.x) and the SDK use.

/** Where `trace.setSpan()` puts the active span. */
export const SPAN_KEY = createContextKey('OpenTelemetry Context Key SPAN');

/** `suppressTracing()` of @opentelemetry/core: instrumentations record nothing under it. */
export const SUPPRESS_TRACING_KEY = createContextKey(
  'OpenTelemetry SDK Context Key SUPPRESS_TRACING',
);
