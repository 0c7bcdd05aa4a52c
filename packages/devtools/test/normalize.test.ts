import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTraceStore } from '../src/index';
import { decodeBody } from '../src/internal/decode-body';
import { fromOtlpLogs } from '../src/internal/from-otlp-logs';
import { normalizeBatch, PayloadError } from '../src/internal/normalize';
import { demoCheckout, newSpanId, newTraceId } from './helpers/demo';

/** Values shaped like a batch but with anything in any field. */
const looseTrace = fc.record(
  {
    id: fc.oneof(fc.constant(newTraceId()), fc.string(), fc.integer()),
    name: fc.anything(),
    serviceName: fc.anything(),
    status: fc.anything(),
    rootSpanId: fc.anything(),
    spans: fc.oneof(
      fc.anything(),
      fc.array(
        fc.record(
          {
            spanId: fc.oneof(fc.constant(newSpanId()), fc.constant(newSpanId()), fc.anything()),
            parentId: fc.anything(),
            name: fc.anything(),
            kind: fc.anything(),
            startTime: fc.oneof(fc.double(), fc.integer(), fc.anything()),
            endTime: fc.anything(),
            attributes: fc.anything(),
            usage: fc.anything(),
            error: fc.anything(),
            events: fc.anything(),
            input: fc.anything(),
          },
          { requiredKeys: [] },
        ),
      ),
    ),
    logs: fc.anything(),
    dropped: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('untrusted input', () => {
  it('either normalises or refuses with a PayloadError, and the result always assembles', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({
            schemaVersion: fc.constant(1),
            traces: fc.array(looseTrace),
            logs: fc.anything(),
          }),
        ),
        (body) => {
          let batch: ReturnType<typeof normalizeBatch>;
          try {
            batch = normalizeBatch(body);
          } catch (error) {
            expect(error).toBeInstanceOf(PayloadError);
            return;
          }
          const store = createTraceStore();
          store.ingest(batch);
          for (const summary of store.list()) {
            const trace = store.get(summary.id)!;
            expect(trace.spans.length).toBeGreaterThan(0);
            expect(Number.isFinite(trace.durationMs)).toBe(true);
            expect(JSON.parse(JSON.stringify(trace)).id).toBe(summary.id);
          }
          store.close();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads any OTLP-shaped body or refuses it with a PayloadError', () => {
    const anyValue = fc.oneof(
      fc.anything(),
      fc.record({ stringValue: fc.anything() }),
      fc.record({ intValue: fc.oneof(fc.string(), fc.integer(), fc.anything()) }),
      fc.record({ arrayValue: fc.record({ values: fc.anything() }) }),
    );
    const keyValues = fc.array(
      fc.record({ key: fc.oneof(fc.string(), fc.anything()), value: anyValue }),
    );
    const otlpSpan = fc.record(
      {
        traceId: fc.oneof(fc.constant(newTraceId()), fc.anything()),
        spanId: fc.oneof(fc.constant(newSpanId()), fc.anything()),
        parentSpanId: fc.anything(),
        name: fc.anything(),
        kind: fc.anything(),
        startTimeUnixNano: fc.oneof(fc.constant('1700000000000000000'), fc.anything()),
        endTimeUnixNano: fc.anything(),
        attributes: fc.oneof(keyValues, fc.anything()),
        events: fc.anything(),
        status: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const body = fc.record(
      {
        resourceSpans: fc.oneof(
          fc.anything(),
          fc.array(
            fc.record(
              {
                resource: fc.oneof(fc.record({ attributes: keyValues }), fc.anything()),
                scopeSpans: fc.oneof(
                  fc.array(fc.record({ spans: fc.array(otlpSpan) })),
                  fc.anything(),
                ),
              },
              { requiredKeys: [] },
            ),
          ),
        ),
        resourceLogs: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        body,
        fc.constantFrom('native', 'otlp-traces', 'otlp-logs' as const),
        (raw, kind) => {
          try {
            const batch = decodeBody(raw, kind);
            const store = createTraceStore();
            store.ingest(batch);
            store.close();
          } catch (error) {
            expect(error).toBeInstanceOf(PayloadError);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rebuilds spans field by field: ids lowercased, junk dropped, root moved first', () => {
    const demo = demoCheckout();
    const raw = structuredClone(demo.parts[1]!) as any;
    raw.id = raw.id.toUpperCase();
    raw.spans.reverse();
    raw.spans[0].attributes = {
      ok: 1,
      nested: { no: true },
      list: [1, 'a', { x: 1 }],
      nan: Number.NaN,
    };
    raw.spans[0].kind = 'spaceship';
    raw.spans[0].input = { already: 'an object' };
    raw.spans.push({ spanId: 'zz', startTime: 1 }, 'junk');
    const batch = normalizeBatch({ schemaVersion: 1, traces: [raw], logs: [] });
    const trace = batch.traces[0]!;
    expect(trace.id).toBe(demo.traceId);
    expect(trace.spans[0]!.spanId).toBe(demo.ids.ordersRoot);
    expect(trace.spans).toHaveLength(5);
    const llm = trace.spans.find((s) => s.spanId === demo.ids.llm)!;
    expect(llm.attributes).toEqual({ ok: 1, list: [1, 'a'], nan: 'NaN' });
    expect(llm.kind).toBe('internal');
    expect(llm.input).toBe('{"already":"an object"}');
  });

  it("reads the compact form: the batch's service and keys, span times after the trace's, the first span as root, defaults left out", () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const batch = normalizeBatch({
      schemaVersion: 1,
      serviceName: 'orders',
      keys: ['http.route', 'http.response.status_code', 7],
      traces: [
        {
          id: traceId,
          startTime: 1,
          spans: [
            {
              spanId: 'b7ad6b7169203331',
              name: 'GET /x',
              kind: 'server',
              start: 0,
              end: 2000,
              attrs: [0, '/x', 1, 200, 2, 'bad key', 9, 'no key', 'x', 1, 0],
            },
            {
              spanId: '00f067aa0ba902b7',
              parentId: 'b7ad6b7169203331',
              name: 'db',
              start: 1000,
              end: 1500,
            },
          ],
        },
        {
          id: '4bf92f3577b34da6a3ce929d0e0e4736',
          serviceName: 'jobs',
          spans: [{ spanId: 'a7ad6b7169203331', startTime: 1 }],
        },
      ],
      logs: [],
    });
    const [orders, jobs] = batch.traces;
    expect(orders).toMatchObject({
      serviceName: 'orders',
      rootSpanId: 'b7ad6b7169203331',
      name: 'GET /x',
    });
    expect(orders!.spans[0]).toMatchObject({ parentId: null, status: 'unset' });
    expect(orders!.spans[0]!.attributes).toEqual({
      'http.route': '/x',
      'http.response.status_code': 200,
    });
    expect(orders!.spans[1]!.attributes).toEqual({});
    expect(orders).toMatchObject({ startTime: 1, endTime: 3, durationMs: 2 });
    expect(orders!.spans[1]).toMatchObject({ startTime: 2, endTime: 2.5, durationMs: 0.5 });
    expect(orders!.spans[1]).toMatchObject({ kind: 'internal', status: 'unset' });
    expect(jobs!.serviceName).toBe('jobs');
  });

  it('reads OTLP log severities, bodies and ids the way SDKs write them', () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    const logs = fromOtlpLogs({
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: 'worker' } },
              { key: 'deployment.environment.name', value: { stringValue: 'staging' } },
            ],
          },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: '1700000000123456789',
                  severityNumber: 17,
                  body: { stringValue: 'failed' },
                  traceId: Buffer.from(traceId, 'hex').toString('base64'),
                  spanId,
                  attributes: [
                    { key: 'user.id', value: { stringValue: 'u1' } },
                    { key: 'retries', value: { intValue: '3' } },
                  ],
                },
                {
                  severityText: 'WARNING',
                  body: { kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }] } },
                },
                { severityNumber: 'nope', body: 42 },
              ],
            },
          ],
        },
      ],
    });
    expect(logs[0]).toMatchObject({
      level: 'error',
      message: 'failed',
      serviceName: 'worker',
      environment: 'staging',
      traceId,
      spanId,
      userId: 'u1',
      attributes: { retries: 3 },
    });
    expect(logs[0]!.time).toBeCloseTo(1_700_000_000_123.4568, 3);
    expect(logs[1]).toMatchObject({ level: 'warn', message: '{"a":true}' });
    expect(logs[2]).toMatchObject({ level: 'info', message: '' });
    expect(() => fromOtlpLogs([])).toThrow(PayloadError);
  });
});
