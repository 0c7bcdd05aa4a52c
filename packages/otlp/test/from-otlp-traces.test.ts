import {
  createTracer,
  type LogData,
  memoryExporter,
  type SpanData,
  type TraceData,
} from '@tracewire/core';
import { fromOtlpTraces, otlpExporter, toOtlpTraces } from '@tracewire/otlp';
import { afterEach, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from './helpers/collector';
import { isolateOtelEnv } from './helpers/env';
import { billingTrace, richTrace } from './helpers/fixtures';
import { decodeTraces } from './helpers/official-proto';

isolateOtelEnv();

/**
 * What survives the trip through OTLP: trace attributes land on the root span,
 * empty attribute values are dropped, and logs travel separately.
 */
function expectedAfterRoundTrip(trace: TraceData): TraceData {
  const clean = (attributes: SpanData['attributes']) =>
    Object.fromEntries(
      Object.entries(attributes).filter(([, value]) => value !== null && value !== undefined),
    );
  return {
    ...trace,
    attributes: {},
    logs: [] as LogData[],
    spans: trace.spans.map((span) => ({
      ...span,
      attributes: clean(
        span.spanId === trace.rootSpanId
          ? { ...trace.attributes, ...span.attributes }
          : span.attributes,
      ),
    })),
  };
}

describe('fromOtlpTraces', () => {
  it('round-trips toOtlpTraces output through JSON', () => {
    const originals = [richTrace(), billingTrace()];
    const wire = JSON.parse(JSON.stringify(toOtlpTraces(originals)));
    expect(fromOtlpTraces(wire)).toEqual(originals.map(expectedAfterRoundTrip));
  });

  it('reads a protobuf message decoded by the official generated code', async () => {
    const collector: Collector = await startCollector();
    try {
      await otlpExporter({ url: collector.url }).export(
        { traces: [richTrace()], logs: [] },
        new AbortController().signal,
      );
      // Decoded messages carry ids as bytes and int64 as decimal strings.
      const decoded = decodeTraces(collector.requests[0]!.body);
      expect(fromOtlpTraces(decoded)).toEqual([expectedAfterRoundTrip(richTrace())]);
    } finally {
      await collector.close();
    }
  });

  it('accepts what the OpenTelemetry JS SDK JSON exporter sends', () => {
    // Shape of @opentelemetry/exporter-trace-otlp-http output: intValue as a JSON
    // number, zero counts, empty lists, flags with the is-remote bits.
    const payload = {
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: 'frontend' } },
              { key: 'deployment.environment', value: { stringValue: 'prod' } },
              { key: 'telemetry.sdk.language', value: { stringValue: 'nodejs' } },
              { key: 'telemetry.sdk.name', value: { stringValue: 'opentelemetry' } },
              { key: 'telemetry.sdk.version', value: { stringValue: '2.2.0' } },
            ],
            droppedAttributesCount: 0,
          },
          scopeSpans: [
            {
              scope: { name: '@opentelemetry/instrumentation-http', version: '0.208.0' },
              spans: [
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  parentSpanId: '0000000000000000',
                  name: 'GET /api/items',
                  kind: 2,
                  startTimeUnixNano: '1544712660000000000',
                  endTimeUnixNano: '1544712661000000000',
                  attributes: [
                    { key: 'http.response.status_code', value: { intValue: 500 } },
                    { key: 'http.request.method', value: { stringValue: 'GET' } },
                  ],
                  droppedAttributesCount: 0,
                  events: [
                    {
                      attributes: [
                        { key: 'exception.type', value: { stringValue: 'TypeError' } },
                        { key: 'exception.message', value: { stringValue: 'x is undefined' } },
                      ],
                      name: 'exception',
                      timeUnixNano: '1544712660500000000',
                      droppedAttributesCount: 0,
                    },
                  ],
                  droppedEventsCount: 0,
                  status: { code: 2, message: 'x is undefined' },
                  links: [],
                  droppedLinksCount: 0,
                  flags: 257,
                },
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'aaa19b7ec3c1b174',
                  parentSpanId: 'eee19b7ec3c1b174',
                  name: 'SELECT items',
                  kind: 3,
                  startTimeUnixNano: '1544712660100000000',
                  endTimeUnixNano: '1544712660300000000',
                  attributes: [{ key: 'db.rows', value: { intValue: '12' } }],
                  droppedAttributesCount: 3,
                  events: [],
                  droppedEventsCount: 0,
                  status: { code: 0 },
                  links: [],
                  droppedLinksCount: 0,
                  flags: 257,
                },
              ],
            },
          ],
        },
      ],
    };
    const [trace, ...rest] = fromOtlpTraces(payload);
    expect(rest).toEqual([]);
    expect(trace).toMatchObject({
      id: '5b8efff798038103d269b633813fc60c',
      name: 'GET /api/items',
      serviceName: 'frontend',
      environment: 'prod',
      status: 'error',
      startTime: 1544712660000,
      endTime: 1544712661000,
      durationMs: 1000,
      rootSpanId: 'eee19b7ec3c1b174',
      sdk: { name: '@tracewire/core', version: '2.2.0' },
    });
    expect(trace!.parentSpanId).toBeUndefined();
    const [root, child] = trace!.spans;
    expect(root).toEqual({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      parentId: null,
      name: 'GET /api/items',
      kind: 'server',
      status: 'error',
      startTime: 1544712660000,
      endTime: 1544712661000,
      durationMs: 1000,
      attributes: { 'http.response.status_code': 500, 'http.request.method': 'GET' },
      error: { message: 'x is undefined', type: 'TypeError' },
    });
    expect(child).toMatchObject({
      parentId: 'eee19b7ec3c1b174',
      kind: 'client',
      status: 'unset',
      startTime: 1544712660100,
      attributes: { 'db.rows': 12 },
      droppedAttributes: 3,
    });
  });

  it('accepts base64 ids, enum names, numeric times and out-of-order spans', () => {
    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const payload = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'worker' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: b64(traceId),
                  spanId: b64('00000000000000c2'),
                  parentSpanId: b64('00000000000000b1'),
                  name: 'child',
                  kind: 'SPAN_KIND_CONSUMER',
                  startTimeUnixNano: 1_700_000_000_500_000_000,
                  endTimeUnixNano: 1_700_000_000_600_000_000,
                  status: { code: 'STATUS_CODE_OK' },
                },
                {
                  traceId: traceId.toUpperCase(),
                  spanId: '00000000000000B1',
                  parentSpanId: 'cafebabecafebabe',
                  name: 'root',
                  kind: 'SPAN_KIND_SERVER',
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000001000000000',
                  links: [{ traceId: b64(traceId), spanId: b64('00000000000000a9') }],
                },
                { traceId: 'not-an-id', spanId: 'zz', name: 'skipped' },
              ],
            },
          ],
        },
      ],
    };
    const [trace] = fromOtlpTraces(payload);
    expect(trace!.id).toBe(traceId);
    expect(trace!.serviceName).toBe('worker');
    expect(trace!.rootSpanId).toBe('00000000000000b1');
    // The root's parent is outside this payload: the caller's span.
    expect(trace!.parentSpanId).toBe('cafebabecafebabe');
    expect(trace!.spans.map((s) => [s.name, s.kind, s.status, s.parentId])).toEqual([
      ['root', 'server', 'unset', 'cafebabecafebabe'],
      ['child', 'consumer', 'ok', '00000000000000b1'],
    ]);
    expect(trace!.spans[1]!.startTime).toBe(1_700_000_000_500);
    expect(trace!.spans[0]!.links).toEqual([{ traceId, spanId: '00000000000000a9' }]);
  });

  it('splits one payload into traces by trace id and service', () => {
    const payload = toOtlpTraces([richTrace(), billingTrace()]);
    const traces = fromOtlpTraces(JSON.parse(JSON.stringify(payload)));
    expect(traces.map((t) => [t.serviceName, t.id, t.spans.length])).toEqual([
      ['checkout', richTrace().id, 7],
      ['billing', billingTrace().id, 1],
    ]);
    expect(fromOtlpTraces({})).toEqual([]);
    expect(() => fromOtlpTraces('{"resourceSpans":[]}')).toThrow(/JSON.parse the request body/);
  });
});

describe('with a real tracer', () => {
  let collector: Collector | undefined;
  afterEach(async () => {
    await collector?.close();
  });

  it('delivers what the tracer recorded, readable back with fromOtlpTraces', async () => {
    collector = await startCollector();
    const memory = memoryExporter();
    const tracer = createTracer({
      serviceName: 'orders',
      environment: 'test',
      exporter: [memory, otlpExporter({ url: collector.url, protocol: 'http/json' })],
    });
    await tracer.trace({ name: 'place order', kind: 'server', userId: 'u-1' }, async (trace) => {
      const llm = trace.startSpan('summarize', {
        kind: 'llm',
        model: 'gpt-4o-mini',
        provider: 'openai',
      });
      llm.end({ status: 'ok', usage: { inputTokens: 10, outputTokens: 5 }, cost: 0.001 });
      trace.wrap('save', (span) => span.setAttribute('rows', 1));
    });
    await tracer.shutdown();

    const recorded = memory.traces()[0]!;
    const body = collector.requests.find((r) => r.path === '/v1/traces')!.body.toString('utf8');
    const [received] = fromOtlpTraces(JSON.parse(body));
    expect(received!.id).toBe(recorded.id);
    expect(received!.serviceName).toBe('orders');
    expect(received!.environment).toBe('test');
    expect(received!.userId).toBe('u-1');
    expect(received!.sdk.version).toBe(recorded.sdk.version);
    const summary = (spans: SpanData[]) =>
      spans.map((s) => [
        s.spanId,
        s.parentId,
        s.name,
        s.kind,
        s.status,
        s.model,
        s.usage?.inputTokens,
      ]);
    expect(summary(received!.spans)).toEqual(summary(recorded.spans));
    for (const [index, span] of received!.spans.entries()) {
      // Microsecond fidelity: epoch milliseconds near 1.8e12 carry only ~0.24 µs of
      // double precision, and the trip through integer nanoseconds rounds once more.
      expect(Math.abs(span.startTime - recorded.spans[index]!.startTime)).toBeLessThanOrEqual(
        0.001,
      );
      expect(Math.abs(span.endTime - recorded.spans[index]!.endTime)).toBeLessThanOrEqual(0.001);
    }
  });
});
