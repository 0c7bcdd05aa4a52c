'use strict';
// The ordinary OpenTelemetry JS setup, loaded with `node --require ./otel-setup.cjs`
// so it runs before the app requires node:http (HttpInstrumentation patches it on
// require). Nothing here knows about tracewire: W3C Trace Context is the contract
// between the two, and OTLP/JSON is how the spans reach `tracewire dev`.
//
//   OTEL_SERVICE_NAME            the service.name resource attribute
//   OTEL_EXPORTER_OTLP_ENDPOINT  the collector; `tracewire dev` listens on
//                                http://127.0.0.1:4318, the OTLP default, and the
//                                exporter appends /v1/traces itself

const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { onFlushRequest, otelSpanReporter } = require('./report-to-test.cjs');

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({
    'service.name': process.env.OTEL_SERVICE_NAME || 'otel-service',
  }),
  spanProcessors: [
    // OTLP/HTTP with JSON bodies (this exporter's only encoding), which `tracewire dev` reads.
    new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 100 }),
    otelSpanReporter(),
  ],
});
// The default sampler, ParentBased(AlwaysOn), follows the caller's sampled flag.
provider.register({ propagator: new W3CTraceContextPropagator() });

registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [new HttpInstrumentation()],
});

onFlushRequest(() => provider.forceFlush());

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    provider.shutdown().finally(() => process.exit(0));
  });
}
