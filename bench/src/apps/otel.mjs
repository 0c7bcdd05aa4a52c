// The OpenTelemetry variant: NodeTracerProvider (AsyncLocalStorage context
// manager), BatchSpanProcessor with its defaults, OTLP/HTTP (JSON) export to the
// sink, and the instrumentations a user of each framework would register.
// Must run before the framework is loaded: the instrumentations patch require().
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Sets up tracing for `framework` and returns `lookup(fn)`, which runs `fn` in a
 * child span as the handler's fake database call.
 *
 * @example const otel = setupOtel('express', 'http://127.0.0.1:4318/v1/traces');
 */
export function setupOtel(framework, sinkUrl) {
  const api = require('@opentelemetry/api');
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `bench-${framework}` }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: sinkUrl }))],
  });
  provider.register();

  const instrumentations = [];
  if (framework !== 'hono') {
    const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
    instrumentations.push(new HttpInstrumentation());
  }
  if (framework === 'express' || framework === 'nestjs') {
    const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
    instrumentations.push(new ExpressInstrumentation());
  }
  if (framework === 'koa') {
    const { KoaInstrumentation } = require('@opentelemetry/instrumentation-koa');
    instrumentations.push(new KoaInstrumentation());
  }
  if (framework === 'nestjs') {
    const { NestInstrumentation } = require('@opentelemetry/instrumentation-nestjs-core');
    instrumentations.push(new NestInstrumentation());
  }
  registerInstrumentations({ tracerProvider: provider, instrumentations });

  const tracer = api.trace.getTracer('bench');
  return {
    provider,
    lookup(fn) {
      return tracer.startActiveSpan('db.lookup', async (span) => {
        try {
          return await fn();
        } finally {
          span.end();
        }
      });
    },
    async flush() {
      await provider.forceFlush();
    },
  };
}
