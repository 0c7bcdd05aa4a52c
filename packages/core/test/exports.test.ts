import { expect, it } from 'vitest';

it('keeps the public exports of @tracewire/core stable', async () => {
  const api = await import('@tracewire/core');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_PRICES",
      "ExportError",
      "ExportPipeline",
      "HttpServerTracing",
      "SPAN_KINDS",
      "STATUSES",
      "ServerRequest",
      "Span",
      "Trace",
      "Tracer",
      "VERSION",
      "alwaysOff",
      "alwaysOn",
      "computeCost",
      "consoleExporter",
      "createTracer",
      "currentSpan",
      "currentTrace",
      "endWithNodeResponse",
      "extract",
      "formatBaggage",
      "formatTraceparent",
      "formatTracestate",
      "getDefaultTracer",
      "httpExporter",
      "httpServerTracing",
      "inject",
      "injectContext",
      "instrumentHttpClients",
      "isBaggageKey",
      "isTracestateKey",
      "isTracestateValue",
      "memoryExporter",
      "nodeRequestInfo",
      "normalizeModelName",
      "parentBased",
      "parseBaggage",
      "parseTraceparent",
      "parseTracestate",
      "postBatch",
      "ratioSampler",
      "readHeader",
      "registerShutdown",
      "requestRegistry",
      "runUntraced",
      "sensitiveDataMasker",
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
