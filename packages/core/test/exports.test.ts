import { expect, it } from 'vitest';

it('keeps the public exports of @tracewire/core stable', async () => {
  const api = await import('@tracewire/core');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_PRICES",
      "ExportError",
      "SPAN_KINDS",
      "STATUSES",
      "Span",
      "Trace",
      "Tracer",
      "VERSION",
      "alwaysOff",
      "alwaysOn",
      "capturePinoLog",
      "computeCost",
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
      "normalizeModelName",
      "parentBased",
      "parseBaggage",
      "parseTraceparent",
      "parseTracestate",
      "ratioSampler",
      "readHeader",
      "recordLogLine",
      "registerShutdown",
      "runUntraced",
      "sensitiveDataMasker",
      "setDefaultTracer",
      "setHeader",
      "span",
      "traceLogFields",
      "traced",
      "tracerOptionsFromEnv",
      "tracestateWith",
      "withSpan",
      "withTraceFields",
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
      "activeCarrier",
      "checkOptions",
      "endWithFetchResponse",
      "endWithNodeResponse",
      "fetchRequestInfo",
      "httpServerTracing",
      "is",
      "isHttpClientInstrumented",
      "isUntraced",
      "nodeRequestInfo",
      "postBatch",
      "requestRegistry",
      "runWithCarrier",
      "serverRequestOf",
    ]
  `);
});
