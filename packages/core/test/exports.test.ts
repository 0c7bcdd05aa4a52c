import { expect, it } from 'vitest';

it('keeps the public exports of @tracewire/core stable', async () => {
  const api = await import('@tracewire/core');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
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
