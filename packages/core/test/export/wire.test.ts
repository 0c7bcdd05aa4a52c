import { describe, expect, it } from 'vitest';
import { wireBatch } from '../../src/export/internal/wire';
import { memoryExporter } from '../../src/export/memory-exporter';
import { createTracer } from '../../src/tracer';
import type { SpanData, TraceData } from '../../src/types';

/** What a collector does with the compact form: puts back every derived field, by the documented rules. */
function expand(
  wire: Record<string, unknown>,
  sdk: TraceData['sdk'],
  serviceName: string,
  keys: string[],
): TraceData {
  const base = wire.startTime as number;
  const spans = (wire.spans as Record<string, unknown>[]).map(({ attrs, start, end, ...raw }) => {
    const attributes: Record<string, unknown> = {};
    const pairs = (attrs ?? []) as unknown[];
    for (let i = 0; i < pairs.length; i += 2) attributes[keys[pairs[i] as number]!] = pairs[i + 1];
    const span = {
      parentId: null,
      kind: 'internal',
      status: 'unset',
      ...raw,
      startTime: base + (start as number) / 1000,
      endTime: base + (end as number) / 1000,
      attributes,
      traceId: wire.id,
    } as unknown as SpanData;
    span.durationMs = span.endTime - span.startTime;
    return span;
  });
  const root = spans.find((span) => span.spanId === (wire.rootSpanId ?? spans[0]!.spanId))!;
  return {
    schemaVersion: 1,
    sdk,
    serviceName,
    rootSpanId: root.spanId,
    name: root.name,
    status: root.status,
    endTime: root.endTime,
    durationMs: root.durationMs,
    tags: [],
    attributes: {},
    logs: [],
    dropped: {
      spans: 0,
      attributes: 0,
      truncatedAttributes: 0,
      events: 0,
      logs: 0,
      truncatedIo: 0,
    },
    ...wire,
    startTime: root.startTime,
    spans,
  } as unknown as TraceData;
}

const TIME_KEY = /^(startTime|endTime|durationMs)$/;

/**
 * Equal but for times, which the wire form carries to the microsecond: each
 * time is held to a microsecond of the original where it stands, and the rest compared whole.
 */
function expectSameTrace(actual: unknown, expected: unknown): void {
  const times = (value: unknown) => {
    const found = new Map<string, number>();
    const walk = (node: unknown, path: string): unknown => {
      if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}/${i}`));
      if (node === null || typeof node !== 'object') return node;
      const copy: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(node)) {
        if (typeof v === 'number' && TIME_KEY.test(key)) found.set(`${path}/${key}`, v);
        else copy[key] = walk(v, `${path}/${key}`);
      }
      return copy;
    };
    return { rest: walk(JSON.parse(JSON.stringify(value)), ''), found };
  };
  const a = times(actual);
  const b = times(expected);
  expect(a.rest).toEqual(b.rest);
  expect([...a.found.keys()].sort()).toEqual([...b.found.keys()].sort());
  for (const [path, t] of a.found) {
    expect(Math.abs(t - b.found.get(path)!), path).toBeLessThanOrEqual(0.0011);
  }
}

async function finished(
  build: (tracer: ReturnType<typeof createTracer>) => void,
): Promise<TraceData> {
  const memory = memoryExporter();
  const tracer = createTracer({ serviceName: 'wire', exporter: memory, context: false });
  build(tracer);
  await tracer.flush();
  return memory.traces()[0]!;
}

describe('the compact wire form', () => {
  it('leaves out only what a collector derives: a fully populated trace expands back to itself', async () => {
    const full = await finished((tracer) => {
      const trace = tracer.startTrace({
        name: 'checkout',
        environment: 'prod',
        sessionId: 's-1',
        userId: 'u-1',
        referenceId: 'r-1',
        tags: ['beta'],
        attributes: { tenant: 'acme' },
        parent: {
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          spanId: '00f067aa0ba902b7',
          sampled: true,
          random: false,
        },
        spanAttributes: { 'http.route': '/pay' },
      });
      const llm = trace.startSpan('llm', {
        model: 'gpt-x',
        provider: 'openai',
        tags: ['llm'],
        input: 'hi',
      });
      llm.addEvent('token', { n: 1 });
      llm.addSignal('relevance', 0.5);
      llm.addLink({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' });
      llm.end({ output: { text: 'yo' }, usage: { inputTokens: 3, outputTokens: 4 }, cost: 0.01 });
      trace.startSpan('db').setError(new Error('boom'));
      trace.log.info('paid', { amount: 3 });
      trace.dropped.spans = 2;
      trace.end({ status: 'error' });
    });
    const batch = JSON.parse(JSON.stringify(wireBatch([full])));
    const wire = batch.traces[0];
    expect(wire).not.toHaveProperty('durationMs');
    expect(wire).not.toHaveProperty('name');
    expect((wire.spans as object[])[0]).not.toHaveProperty('traceId');
    expect(batch.serviceName).toBe('wire');
    expectSameTrace(expand(wire, full.sdk, batch.serviceName, batch.keys), full);
  });

  it('is about a third smaller for a plain two-span request trace', async () => {
    const plain = await finished((tracer) => {
      const trace = tracer.startTrace({
        name: 'GET /users/:id',
        kind: 'server',
        spanAttributes: { 'http.request.method': 'GET', 'url.path': '/users/7' },
      });
      trace.startSpan('db.lookup').end();
      trace.end();
    });
    const batch = JSON.parse(JSON.stringify(wireBatch([plain])));
    const wire = batch.traces[0];
    expect(wire).not.toHaveProperty('tags');
    expect(wire).not.toHaveProperty('dropped');
    expect((wire.spans as object[])[1]).not.toHaveProperty('attrs');
    expect(wire.spans[0].attrs).toEqual([0, 'GET', 1, '/users/7']);
    expect(batch.keys).toEqual(['http.request.method', 'url.path']);
    expectSameTrace(expand(wire, plain.sdk, batch.serviceName, batch.keys), plain);
    expect(JSON.stringify(wire).length).toBeLessThan(JSON.stringify(plain).length * 0.6);
    expect(wire).not.toHaveProperty('serviceName');
    expect(wire).not.toHaveProperty('rootSpanId');
    expect((wire.spans as object[])[0]).not.toHaveProperty('parentId');
    expect((wire.spans as object[])[1]).not.toHaveProperty('kind');
    expect((wire.spans as object[])[1]).not.toHaveProperty('status');
  });

  it("names a trace's service and root only where the batch and the span order do not", async () => {
    const plain = await finished((tracer) => {
      const trace = tracer.startTrace({ name: 'job', serviceName: 'worker' });
      trace.startSpan('step').end();
      trace.end();
    });
    const reordered = { ...plain, spans: [...plain.spans].reverse() };
    const first = { ...plain, serviceName: 'api', id: '4bf92f3577b34da6a3ce929d0e0e4736' };
    const batch = JSON.parse(JSON.stringify(wireBatch([first, reordered])));
    const wire = batch.traces[1];
    expect(batch.serviceName).toBe('api');
    expect(batch.traces[0]).not.toHaveProperty('serviceName');
    expect(wire.serviceName).toBe('worker');
    expect(wire.rootSpanId).toBe(plain.rootSpanId);
    expectSameTrace(expand(wire, plain.sdk, 'api', batch.keys), {
      ...reordered,
      rootSpanId: plain.rootSpanId,
    });
  });
});

describe('attribute keys sent once per batch', () => {
  it('indexes each key once across traces, keeps values as JSON would, and skips what JSON skips', async () => {
    const make = (path: string) =>
      finished((tracer) => {
        const trace = tracer.startTrace({
          name: 'GET /',
          kind: 'server',
          spanAttributes: { 'url.path': path, 'http.response.status_code': 200 },
        });
        trace.rootSpan.setAttribute('list', ['a', 'b']);
        trace.rootSpan.setAttribute('flag', false);
        trace.rootSpan.setAttribute('none', null);
        (trace.rootSpan.attributes as Record<string, unknown>).fn = () => 1;
        trace.end();
      });
    const [a, b] = [await make('/a'), await make('/b')];
    const batch = JSON.parse(JSON.stringify(wireBatch([a, b])));
    expect(batch.keys).toEqual(['url.path', 'http.response.status_code', 'list', 'flag', 'none']);
    expect(batch.traces[0].spans[0].attrs).toEqual([
      0,
      '/a',
      1,
      200,
      2,
      ['a', 'b'],
      3,
      false,
      4,
      null,
    ]);
    expect(batch.traces[1].spans[0].attrs).toEqual([
      0,
      '/b',
      1,
      200,
      2,
      ['a', 'b'],
      3,
      false,
      4,
      null,
    ]);
  });
});
