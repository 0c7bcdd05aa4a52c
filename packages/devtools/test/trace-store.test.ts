import type { TraceData } from '@tracewire/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createTraceStore, type TraceStore } from '../src/index';
import { demoCheckout, heavyPart, newSpanId } from './helpers/demo';

const stores: TraceStore[] = [];
function store(options: Parameters<typeof createTraceStore>[0] = {}): TraceStore {
  const s = createTraceStore({ settleMs: 20, ...options });
  stores.push(s);
  return s;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** What assembly decides, without arrival-dependent fields. */
function shape(s: TraceStore, id: string) {
  const t = s.get(id)!;
  return {
    root: t.rootSpanId,
    name: t.name,
    serviceName: t.serviceName,
    services: t.services,
    status: t.status,
    start: t.startTime,
    end: t.endTime,
    spans: t.spans.map((x) => [x.spanId, x.parentId, x.serviceName]),
    logs: t.logs.map((l) => l.message),
  };
}

describe('assembly', () => {
  it('gives the same trace for every arrival order of the four parts', () => {
    const demo = demoCheckout();
    const reference = store();
    reference.ingest({ traces: demo.parts, logs: [] });
    const expected = shape(reference, demo.traceId);
    expect(expected.root).toBe(demo.ids.gatewayRoot);
    expect(expected.services).toEqual(['gateway', 'orders', 'payments', 'inventory']);
    // Depth-first: each downstream root sits right after its caller's client span.
    const order = expected.spans.map(([id]) => id);
    expect(order.indexOf(demo.ids.inventoryRoot)).toBe(
      order.indexOf(demo.ids.ordersToInventory) + 1,
    );

    fc.assert(
      fc.property(fc.shuffledSubarray(demo.parts, { minLength: 4, maxLength: 4 }), (parts) => {
        const s = store();
        for (const part of parts) s.ingest({ traces: [part], logs: [] });
        expect(shape(s, demo.traceId)).toEqual(expected);
        s.close();
      }),
      { numRuns: 24 },
    );
  });

  it('treats a re-sent part as the same part, not more spans', () => {
    const s = store();
    const demo = demoCheckout();
    s.ingest({ traces: demo.parts, logs: [] });
    s.ingest({ traces: [structuredClone(demo.parts[1]!)], logs: [] });
    const trace = s.get(demo.traceId)!;
    expect(trace.spans).toHaveLength(11);
    expect(trace.partCount).toBe(4);
    expect(trace.logs).toHaveLength(1);
  });

  it('merges a service trace split over several OTLP-style batches, keeping the latest copy of a span', () => {
    const s = store();
    const demo = demoCheckout();
    const orders = demo.parts[1]!;
    // A batch processor split the orders spans: the later half arrives as its own "trace".
    const head: TraceData = { ...orders, spans: orders.spans.slice(0, 3) };
    const tail: TraceData = {
      ...orders,
      rootSpanId: orders.spans[3]!.spanId,
      spans: orders.spans.slice(3).map((span) => ({ ...span, name: `${span.name}!` })),
    };
    s.ingest({ traces: [demo.parts[0]!, head, tail, { ...tail }], logs: [] });
    const trace = s.get(demo.traceId)!;
    expect(trace.spans).toHaveLength(2 + 5);
    expect(trace.services).toEqual(['gateway', 'orders']);
    expect(trace.spans.find((x) => x.spanId === demo.ids.llm)?.name).toBe('summarize order!');
    expect(trace.spans.find((x) => x.spanId === demo.ids.llm)?.parentId).toBe(demo.ids.ordersRoot);
  });

  it('names the trace after its true root even when a child part came first', () => {
    const s = store();
    const demo = demoCheckout();
    s.ingest({ traces: [demo.parts[2]!], logs: [] });
    expect(s.get(demo.traceId)).toMatchObject({ name: 'POST /charge', serviceName: 'payments' });
    s.ingest({ traces: [demo.parts[0]!], logs: [] });
    // Payments hangs under the gateway although orders (its caller) is still missing.
    const partial = s.get(demo.traceId)!;
    expect(partial).toMatchObject({ name: 'POST /checkout', serviceName: 'gateway' });
    expect(partial.spans.map((x) => x.serviceName)).toEqual([
      'gateway',
      'gateway',
      'payments',
      'payments',
    ]);
  });

  it('attaches logs that arrive before their trace, and keeps standalone logs apart', () => {
    const s = store({ maxLogs: 2 });
    const demo = demoCheckout();
    s.ingest({
      traces: [],
      logs: [
        { level: 'info', message: 'early', time: 1, serviceName: 'orders', traceId: demo.traceId },
        { level: 'info', message: 'a', time: 1, serviceName: 'x' },
        { level: 'info', message: 'b', time: 2, serviceName: 'x' },
        { level: 'info', message: 'c', time: 3, serviceName: 'x' },
      ],
    });
    expect(s.get(demo.traceId)).toBeUndefined();
    expect(s.list()).toEqual([]);
    expect(s.logs().map((l) => l.message)).toEqual(['b', 'c']);
    s.ingest({ traces: [demo.parts[1]!], logs: [] });
    expect(s.get(demo.traceId)!.logs.map((l) => l.message)).toEqual(['early']);
  });

  it('marks a trace error when any span errored, even if its root did not', () => {
    const s = store();
    const demo = demoCheckout();
    const inventory = structuredClone(demo.parts[3]!);
    inventory.status = 'ok';
    inventory.spans[1]!.status = 'error';
    s.ingest({ traces: [{ ...demo.parts[0]!, status: 'ok' }, inventory], logs: [] });
    expect(s.get(demo.traceId)).toMatchObject({ status: 'error', errorCount: 1 });
  });

  it('survives broken parent links: self-parents and cycles still show every span once', () => {
    const s = store();
    const demo = demoCheckout();
    const part = structuredClone(demo.parts[3]!);
    const a = newSpanId();
    const b = newSpanId();
    part.spans.push(
      { ...part.spans[1]!, spanId: a, parentId: b },
      { ...part.spans[1]!, spanId: b, parentId: a },
    );
    s.ingest({ traces: [part], logs: [] });
    const ids = s.get(demo.traceId)!.spans.map((x) => x.spanId);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
  });
});

describe('bounds and waiting', () => {
  it('evicts the least recently updated trace first', () => {
    const s = store({ maxTraces: 2 });
    const [a, b, c] = [demoCheckout(), demoCheckout(), demoCheckout()];
    const evicted: string[] = [];
    s.subscribe((e) => {
      if (e.type === 'evict') evicted.push(e.id);
    });
    s.ingest({ traces: [a.parts[0]!], logs: [] });
    s.ingest({ traces: [b.parts[0]!], logs: [] });
    s.ingest({ traces: [a.parts[1]!], logs: [] }); // a is fresh again
    s.ingest({ traces: [c.parts[0]!], logs: [] });
    expect(evicted).toEqual([b.traceId]);
    expect(s.get(a.traceId)?.services).toEqual(['gateway', 'orders']);
    expect(s.size).toBe(2);
  });

  it('drops parts that would take a trace past maxSpansPerTrace', () => {
    const s = store({ maxSpansPerTrace: 5 });
    const demo = demoCheckout();
    s.ingest({ traces: demo.parts, logs: [] });
    // gateway (2) fits, orders (5) would not, payments (2) fits, inventory (2) would not.
    expect(s.get(demo.traceId)?.services).toEqual(['gateway', 'payments']);
  });

  it('keeps the JSON bytes it holds under maxBytes, evicting the least recently updated', () => {
    const s = store({ maxBytes: 600_000 });
    const evicted: string[] = [];
    s.subscribe((e) => {
      if (e.type === 'evict') evicted.push(e.id);
    });
    const traces = Array.from({ length: 12 }, () => heavyPart(10, 10_000));
    for (const trace of traces) {
      s.ingest({ traces: [trace], logs: [] });
      expect(s.bytes).toBeLessThanOrEqual(600_000);
    }
    const kept = traces.filter((t) => s.get(t.id));
    // Each trace is about 100 kB of JSON, so five fit and the oldest seven went.
    expect(kept.map((t) => t.id)).toEqual(traces.slice(-5).map((t) => t.id));
    expect(evicted).toEqual(traces.slice(0, 7).map((t) => t.id));
    expect(s.bytes).toBe(kept.reduce((n, t) => n + Buffer.byteLength(JSON.stringify(t)), 0));
    expect(s.get(traces[11]!.id)?.truncated).toBeUndefined();
    s.clear();
    expect(s.bytes).toBe(0);
  });

  it('counts standalone logs in the byte cap and lets the older of logs and traces go first', () => {
    const s = store({ maxBytes: 250_000 });
    const log = (message: string) => ({
      level: 'info' as const,
      message,
      time: 1,
      serviceName: 'api',
    });
    s.ingest({ traces: [], logs: [log('a'.repeat(100_000))] });
    const trace = heavyPart(5, 10_000);
    s.ingest({ traces: [trace], logs: [] });
    s.ingest({ traces: [], logs: [log('b'.repeat(100_000))] });
    // Past 250 kB: the first log is the oldest thing held, so it goes, and the trace stays.
    expect(s.logs().map((l) => l.message[0])).toEqual(['b']);
    expect(s.get(trace.id)).toBeDefined();
    expect(s.bytes).toBeLessThanOrEqual(250_000);
    s.ingest({ traces: [], logs: [log('c'.repeat(100_000))] });
    expect(s.get(trace.id)).toBeUndefined();
    expect(s.logs().map((l) => l.message[0])).toEqual(['b', 'c']);
  });

  it('truncates a trace past maxTraceBytes: long texts first, then later spans, counted on the trace', () => {
    const s = store({ maxTraceBytes: 100_000 });
    // Texts of 40,000 characters are cut to 16 KiB; the ten spans still do not all fit.
    const part = heavyPart(10, 40_000);
    s.ingest({ traces: [part], logs: [] });
    const trace = s.get(part.id)!;
    expect(trace.truncated).toBeDefined();
    const { spans, fields, logs, bytes } = trace.truncated!;
    expect(trace.spans[0]!.spanId).toBe(part.rootSpanId);
    expect(trace.spans.length + spans).toBe(10);
    expect(spans).toBeGreaterThan(0);
    expect(fields).toBe(10);
    expect(logs).toBe(0);
    expect(s.bytes).toBeLessThanOrEqual(100_000);
    expect(bytes).toBe(Buffer.byteLength(JSON.stringify(part)) - s.bytes);
    expect(trace.spans[0]!.input).toMatch(/… \[truncated by tracewire dev: \d+ more characters\]$/);
    expect(s.list()[0]!.truncated).toEqual(trace.truncated);

    // A correlated log that no longer fits is counted, not stored.
    s.ingest({
      traces: [],
      logs: [
        {
          level: 'info',
          message: 'x'.repeat(90_000),
          time: 1,
          serviceName: 'api',
          traceId: part.id,
        },
      ],
    });
    expect(s.get(part.id)!.truncated!.logs).toBe(1);
    expect(s.get(part.id)!.logs).toHaveLength(0);
    expect(s.bytes).toBeLessThanOrEqual(100_000);
  });

  it('sums tokens and cost over the LLM spans, counting those without a cost', () => {
    const s = store();
    const demo = demoCheckout();
    const orders = demo.parts[1]!;
    const llm = orders.spans.find((x) => x.spanId === demo.ids.llm)!;
    orders.spans.push(
      { ...llm, spanId: newSpanId(), usage: { inputTokens: 10, outputTokens: 5 }, cost: 0.01 },
      { ...llm, spanId: newSpanId(), usage: { inputTokens: 7, outputTokens: 3 }, cost: undefined },
    );
    s.ingest({ traces: demo.parts, logs: [] });
    const { llm: totals } = s.get(demo.traceId)!;
    expect(totals).toMatchObject({
      calls: 3,
      inputTokens: 1251,
      outputTokens: 64,
      // The second span has no totalTokens: its input and output count.
      totalTokens: 1290 + 15 + 10,
      unpriced: 1,
    });
    expect(totals!.cost).toBeCloseTo(0.01042, 10);
    const plain = demoCheckout().parts[3]!;
    s.ingest({ traces: [plain], logs: [] });
    expect(s.get(plain.id)!.llm).toBeUndefined();
  });

  it('finishes a trace after the quiet period and again after a late part', async () => {
    const s = store({ settleMs: 30 });
    const demo = demoCheckout();
    const finished: number[] = [];
    s.subscribe((e) => {
      if (e.type === 'finish') finished.push(e.trace.spans.length);
    });
    s.ingest({ traces: [demo.parts[0]!], logs: [] });
    expect(s.get(demo.traceId)?.finished).toBe(false);
    await s.waitFor((t) => t.finished);
    s.ingest({ traces: [demo.parts[1]!], logs: [] });
    expect(s.get(demo.traceId)?.finished).toBe(false);
    const done = await s.waitFor((t) => t.finished && t.spans.length === 7);
    expect(done.partCount).toBe(2);
    expect(finished).toEqual([2, 7]);
  });

  it('waitFor resolves from stored traces, rejects on timeout, and passes predicate errors on', async () => {
    const s = store();
    const demo = demoCheckout();
    s.ingest({ traces: [demo.parts[0]!], logs: [] });
    await expect(s.waitFor((t) => t.id === demo.traceId)).resolves.toMatchObject({
      id: demo.traceId,
    });
    await expect(s.waitFor((t) => t.services.length > 9, 30)).rejects.toThrow(
      /no trace matched within 30 ms \(1 traces in the store\)/,
    );
    await expect(
      s.waitFor(() => {
        throw new Error('bad predicate');
      }),
    ).rejects.toThrow('bad predicate');
  });

  it('rejects bad options with a message that says what to pass', () => {
    expect(() => createTraceStore({ maxTraces: 0 })).toThrow(
      /maxTraces must be a positive integer/,
    );
    expect(() => createTraceStore({ settleMs: -1 })).toThrow(/settleMs/);
  });
});
