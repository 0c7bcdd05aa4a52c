import { expect, it } from 'vitest';

it('keeps the public exports of @tracewire/core stable', async () => {
  const api = await import('@tracewire/core');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "ExportError",
      "SPAN_KINDS",
      "STATUSES",
      "Span",
      "Trace",
      "Tracer",
      "VERSION",
      "alwaysOff",
      "alwaysOn",
      "consoleExporter",
      "createTracer",
      "currentSpan",
      "currentTrace",
      "extract",
      "formatBaggage",
      "formatTraceparent",
      "formatTracestate",
      "getDefaultTracer",
      "httpExporter",
      "inject",
      "injectContext",
      "instrumentHttpClients",
      "isBaggageKey",
      "isTracestateKey",
      "isTracestateValue",
      "memoryExporter",
      "parentBased",
      "parseBaggage",
      "parseTraceparent",
      "parseTracestate",
      "ratioSampler",
      "readHeader",
      "registerShutdown",
      "runUntraced",
      "setDefaultTracer",
      "setHeader",
      "span",
      "traced",
      "tracerOptionsFromEnv",
      "tracestateWith",
      "withSpan",
    ]
  `);
});

it('keeps the public exports of @tracewire/core/testing stable', async () => {
  const api = await import('@tracewire/core/testing');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "contractHandlers",
      "runAdapterContract",
      "send",
      "settle",
      "waitForTraces",
    ]
  `);
});

it('keeps the adapter authors’ exports of @tracewire/core/http stable', async () => {
  const api = await import('@tracewire/core/http');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "ExportPipeline",
      "HTTP_TRACING_OPTIONS",
      "HttpServerTracing",
      "ServerRequest",
      "checkOptions",
      "endWithFetchResponse",
      "endWithNodeResponse",
      "fetchRequestInfo",
      "httpServerTracing",
      "is",
      "nodeRequestInfo",
      "postBatch",
      "requestRegistry",
      "serverRequestOf",
    ]
  `);
});
