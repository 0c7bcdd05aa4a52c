import { setTimeout as delay } from 'node:timers/promises';
import {
  createTracer,
  currentSpan,
  currentTrace,
  type Exporter,
  memoryExporter,
  ratioSampler,
  span,
  withSpan,
} from '@tracewire/core';
import { describe, expect, it, vi } from 'vitest';

function setup(options: Partial<Parameters<typeof createTracer>[0]> = {}) {
  const exporter = memoryExporter();
  const tracer = createTracer({
    serviceName: 'svc',
    environment: 'test',
    exporter,
    batch: { scheduledDelayMs: 5 },
    ...options,
  });
  return { exporter, tracer };
}

describe('createTracer', () => {
  it('fails fast with a fix-it message on bad configuration', () => {
    expect(() => createTracer({} as never)).toThrow(/serviceName/);
    expect(() => createTracer({ serviceName: 'a', exporter: {} as Exporter })).toThrow(
      /export\(batch\)/,
    );
    expect(() => createTracer({ serviceName: 'a', limits: { maxSpansPerTrace: -1 } })).toThrow(
      /maxSpansPerTrace/,
    );
    expect(() => createTracer({ serviceName: 'a', sampler: 2 })).toThrow(/between 0 and 1/);
  });
});

describe('tracer.trace(options, fn)', () => {
  it('runs fn in the trace context, ends and exports the trace, returns fn value', async () => {
    const { exporter, tracer } = setup();
    const result = await tracer.trace(
      { name: 'job', userId: 'u1', sessionId: 's1', tags: ['a'], attributes: { plan: 'pro' } },
      async (trace) => {
        expect(currentTrace()).toBe(trace);
        await delay(2);
        await span('child', async (s) => {
          expect(currentSpan()).toBe(s);
          await span('grandchild', () => undefined);
        });
        return 42;
      },
    );
    expect(result).toBe(42);
    const [trace] = exporter.traces();
    expect(trace).toMatchObject({
      name: 'job',
      serviceName: 'svc',
      environment: 'test',
      userId: 'u1',
      sessionId: 's1',
      tags: ['a'],
      attributes: { plan: 'pro' },
      schemaVersion: 1,
    });
    const [root, child, grandchild] = trace!.spans;
    expect(root!.spanId).toBe(trace!.rootSpanId);
    expect(child!.parentId).toBe(root!.spanId);
    expect(grandchild!.parentId).toBe(child!.spanId);
    expect(trace!.durationMs).toBeGreaterThanOrEqual(child!.durationMs);
  });

  it('ends with status error, records and rethrows when fn throws, and still exports', async () => {
    const { exporter, tracer } = setup();
    const boom = new TypeError('bad input');
    await expect(
      tracer.trace({ name: 'failing' }, async () => {
        await delay(1);
        throw boom;
      }),
    ).rejects.toBe(boom);
    const [trace] = exporter.traces();
    expect(trace!.status).toBe('error');
    expect(trace!.spans[0]!.error).toMatchObject({ message: 'bad input', type: 'TypeError' });
    expect(trace!.spans[0]!.error!.stack).toContain('bad input');
  });

  it('rethrows a synchronous throw unchanged', async () => {
    const { exporter, tracer } = setup();
    await expect(
      tracer.trace('sync', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(exporter.traces()).toHaveLength(1);
  });
});

describe('Trace', () => {
  it('keeps tags, attributes and cut counters written directly, each trace its own', async () => {
    const { exporter, tracer } = setup();
    const plain = tracer.startTrace({ name: 'plain' });
    const written = tracer.startTrace({ name: 'written' });
    written.tags.push('beta');
    written.attributes.tenant = 'acme';
    written.dropped.spans += 2;
    plain.end();
    written.end();
    await tracer.flush();
    const [a, b] = exporter.traces();
    expect(a).toMatchObject({ name: 'plain', tags: [], attributes: {} });
    expect(a!.dropped.spans).toBe(0);
    expect(b).toMatchObject({ name: 'written', tags: ['beta'], attributes: { tenant: 'acme' } });
    expect(b!.dropped.spans).toBe(2);
    expect(plain.tags).toEqual([]);
    expect(plain.attributes).toEqual({});
  });

  it('has a time-ordered 32-hex id, closes open spans at end, and ends once', async () => {
    const { exporter, tracer } = setup();
    const before = Date.now();
    const trace = tracer.startTrace({ name: 't' });
    expect(trace.id).toMatch(/^[0-9a-f]{32}$/);
    expect(Number.parseInt(trace.id.slice(0, 12), 16)).toBeGreaterThanOrEqual(before);
    const open = trace.startSpan('never-ended');
    const child = open.startSpan('also-open');
    expect(trace.isEnded).toBe(false);
    const first = trace.end();
    const second = trace.end();
    expect(second).toBe(first);
    await first;
    expect(trace.isEnded).toBe(true);
    expect(open.isEnded && child.isEnded).toBe(true);
    await tracer.flush();
    expect(exporter.traces()).toHaveLength(1);
    expect(exporter.traces()[0]!.spans.map((s) => s.name)).toEqual([
      't',
      'never-ended',
      'also-open',
    ]);
  });

  it('update() merges attributes and replaces tags', async () => {
    const { exporter, tracer } = setup();
    const trace = tracer.startTrace({ name: 'a', tags: ['x'], attributes: { one: 1 } });
    trace.update({
      name: 'b',
      tags: ['y', 'z'],
      attributes: { two: 2 },
      userId: 'u',
      status: 'ok',
    });
    await trace.end();
    const data = exporter.traces()[0]!;
    expect(data).toMatchObject({
      name: 'b',
      tags: ['y', 'z'],
      attributes: { one: 1, two: 2 },
      userId: 'u',
      status: 'ok',
    });
  });

  it('wrap() ends the span, records errors and rethrows', async () => {
    const { exporter, tracer } = setup();
    const trace = tracer.startTrace('w');
    expect(trace.wrap('ok', () => 5)).toBe(5);
    await expect(trace.wrap('async', async () => 6)).resolves.toBe(6);
    expect(() =>
      trace.wrap('throws', () => {
        throw new Error('x');
      }),
    ).toThrow('x');
    await expect(
      trace.wrap('rejects', async () => {
        throw new Error('y');
      }),
    ).rejects.toThrow('y');
    await trace.end();
    const spans = exporter.traces()[0]!.spans;
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(byName.ok!.status).toBe('unset');
    expect(byName.throws!.status).toBe('error');
    expect(byName.rejects!.error?.message).toBe('y');
    expect(spans.every((s) => s.endTime >= s.startTime)).toBe(true);
  });

  it('headers() carries the current span as parent, with the sampled and random flags', () => {
    const { tracer } = setup();
    const trace = tracer.startTrace('h');
    expect(trace.headers().traceparent).toBe(`00-${trace.id}-${trace.rootSpan.id}-03`);
    const child = trace.startSpan('c');
    withSpan(child, () => {
      expect(trace.headers().traceparent).toBe(`00-${trace.id}-${child.id}-03`);
    });
  });

  it('continues a parent context: same trace id, remote parent, tracestate forwarded', async () => {
    const { exporter, tracer } = setup();
    const trace = tracer.startTrace({
      name: 'continued',
      parent: {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        sampled: true,
        random: false,
        traceState: 'congo=t61rcWkgMzE',
      },
    });
    expect(trace.id).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(trace.headers()).toEqual({
      traceparent: `00-0af7651916cd43dd8448eb211c80319c-${trace.rootSpan.id}-01`,
      tracestate: 'congo=t61rcWkgMzE',
    });
    await trace.end();
    expect(exporter.traces()[0]!.parentSpanId).toBe('b7ad6b7169203331');
    expect(exporter.traces()[0]!.spans[0]!.parentId).toBe('b7ad6b7169203331');
  });
});

describe('Span', () => {
  it('records LLM fields, IO, signals, events and derives total tokens', async () => {
    const { exporter, tracer } = setup();
    await tracer.trace('chat', (trace) => {
      const llm = trace.startSpan('openai.chat', {
        kind: 'llm',
        model: 'gpt-4o-mini',
        provider: 'openai',
        input: [{ role: 'user', content: 'hi' }],
      });
      llm.addSignal('relevance', 0.9);
      llm.addSignal('cached', false);
      llm.addEvent('first-token', { 'gen_ai.latency_ms': 120 });
      llm.end({
        output: { role: 'assistant', content: 'hello' },
        usage: { inputTokens: 10, outputTokens: 5 },
        cost: 0.0003,
      });
    });
    const llm = exporter.traces()[0]!.spans[1]!;
    expect(llm).toMatchObject({
      kind: 'llm',
      model: 'gpt-4o-mini',
      provider: 'openai',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      cost: 0.0003,
      input: '[{"role":"user","content":"hi"}]',
      output: '{"role":"assistant","content":"hello"}',
    });
    expect(llm.signals!.map((s) => [s.name, s.type])).toEqual([
      ['relevance', 'numeric'],
      ['cached', 'boolean'],
    ]);
    expect(llm.events![0]!.name).toBe('first-token');
    expect(llm.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('serialises hostile input without throwing (cycles, BigInt, throwing getters)', async () => {
    const { exporter, tracer } = setup();
    const cyclic: Record<string, unknown> = { n: 10n };
    cyclic.self = cyclic;
    const hostile = {
      get boom() {
        throw new Error('getter');
      },
    };
    await tracer.trace('io', (trace) => {
      trace.startSpan('a').setIO(cyclic).end();
      trace.startSpan('b').setIO(hostile).end();
    });
    const [, a, b] = exporter.traces()[0]!.spans;
    expect(a!.input).toBe('{"n":"10","self":"[Circular]"}');
    expect(b!.input).toContain('unserializable');
  });

  it('applies limits and counts what was cut on the trace', async () => {
    const { exporter, tracer } = setup({
      limits: {
        maxSpansPerTrace: 3,
        maxAttributesPerSpan: 2,
        maxAttributeValueLength: 5,
        maxIoBytes: 8,
        maxEventsPerSpan: 1,
      },
    });
    await tracer.trace('limited', (trace) => {
      const s = trace.startSpan('s', { attributes: { a: 'abcdefgh', b: 1, c: 2 } });
      s.setIO('0123456789abcdef');
      s.addEvent('e1');
      s.addEvent('e2');
      s.end();
      trace.startSpan('second').end();
      trace.startSpan('third (over the limit)').end();
    });
    const data = exporter.traces()[0]!;
    expect(data.spans).toHaveLength(3);
    expect(data.spans[1]!.attributes).toEqual({ a: 'abcde', b: 1 });
    expect(data.spans[1]!.input).toBe('01234567');
    expect(data.dropped).toMatchObject({
      spans: 1,
      attributes: 1,
      truncatedAttributes: 1,
      events: 1,
      truncatedIo: 1,
    });
  });
});

describe('span(name, fn) outside a trace', () => {
  it('is a passthrough that records nothing and never throws', async () => {
    const { exporter, tracer } = setup();
    const value = await span('lonely', async (s) => {
      s.setAttributes({ a: 1 }).addSignal('x', 1).setIO('in', 'out');
      expect(currentSpan()).toBeUndefined();
      return 'v';
    });
    expect(value).toBe('v');
    await tracer.flush();
    expect(exporter.traces()).toHaveLength(0);
  });
});

describe('logs', () => {
  it('correlates logs with the trace and current span; standalone logs batch separately', async () => {
    const { exporter, tracer } = setup();
    await tracer.trace({ name: 'logged', userId: 'u9' }, async (trace) => {
      trace.log.info('in root', { attempt: 1 });
      await span('step', async (s) => {
        tracer.log.warn('via tracer, inside span');
        s.log.error('on span');
      });
    });
    tracer.log.info('signed up', {
      type: 'analytics',
      eventType: 'signup',
      userId: 'u1',
      plan: 'pro',
    });
    await tracer.flush();
    const data = exporter.traces()[0]!;
    const [rootLog, warn, err] = data.logs;
    expect(rootLog).toMatchObject({
      level: 'info',
      message: 'in root',
      traceId: data.id,
      spanId: data.rootSpanId,
      attributes: { attempt: 1 },
      userId: 'u9',
    });
    const step = data.spans.find((s) => s.name === 'step')!;
    expect(warn).toMatchObject({ level: 'warn', spanId: step.spanId });
    expect(err).toMatchObject({ level: 'error', spanId: step.spanId });
    expect(exporter.logs()).toEqual([
      expect.objectContaining({
        message: 'signed up',
        type: 'analytics',
        eventType: 'signup',
        userId: 'u1',
        attributes: { plan: 'pro' },
        serviceName: 'svc',
      }),
    ]);
    expect(exporter.logs()[0]!.traceId).toBeUndefined();
  });
});

describe('record(event)', () => {
  it('sends one finished span event on its own, generating ids', async () => {
    const { exporter, tracer } = setup();
    await tracer.record({
      name: 'openai.chat',
      kind: 'llm',
      model: 'gpt-4o',
      usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
      cost: 0.01,
      durationMs: 250,
      input: 'hi',
    });
    await tracer.flush();
    const [trace] = exporter.traces();
    expect(trace!.spans).toHaveLength(1);
    expect(trace!.id).toMatch(/^[0-9a-f]{32}$/);
    expect(trace!.spans[0]).toMatchObject({
      kind: 'llm',
      model: 'gpt-4o',
      durationMs: 250,
      status: 'ok',
      input: '"hi"',
    });
  });
});

describe('record(event) input and output', () => {
  it('serialises like spans do: cycles survive and the IO limit applies', async () => {
    const { exporter, tracer } = setup({ limits: { maxIoBytes: 16 } });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    await tracer.record({ name: 'cyclic', input: cyclic, output: 'x'.repeat(100) });
    await tracer.flush();
    const [span] = exporter.traces()[0]!.spans;
    expect(span!.input).toBe('{"a":1,"self":"[');
    expect(span!.output).toBe(`"${'x'.repeat(15)}`);
  });
});

describe('attribute limits', () => {
  it('lets an existing attribute be overwritten at the limit without counting a drop', async () => {
    const { exporter, tracer } = setup({ limits: { maxAttributesPerSpan: 2 } });
    await tracer.trace('t', (trace) => {
      const s = trace.startSpan('s', { attributes: { a: 1, b: 2 } });
      s.setAttributes({ a: 10, c: 3 });
      s.end();
    });
    const data = exporter.traces()[0]!;
    expect(data.spans[1]!.attributes).toEqual({ a: 10, b: 2 });
    expect(data.dropped.attributes).toBe(1);
  });
});

describe('sampling', () => {
  it('an unsampled trace propagates but exports nothing', async () => {
    const { exporter, tracer } = setup({ sampler: 'never' });
    const trace = tracer.startTrace('dropped');
    trace.startSpan('child').setAttributes({ a: 1 }).end();
    expect(trace.sampled).toBe(false);
    expect(trace.headers().traceparent).toMatch(/-02$/);
    await trace.end();
    await tracer.flush();
    expect(exporter.traces()).toHaveLength(0);
    expect(tracer.stats().tracesUnsampled).toBe(1);
  });

  it('a ratio sampler is deterministic on the trace id', () => {
    const { tracer } = setup({ sampler: 0.5 });
    const decisions = new Map<string, boolean>();
    for (let i = 0; i < 2000; i++) {
      const t = tracer.startTrace('r');
      decisions.set(t.id, t.sampled);
    }
    const kept = [...decisions.values()].filter(Boolean).length;
    expect(kept).toBeGreaterThan(800);
    expect(kept).toBeLessThan(1200);
    const sameRatio = ratioSampler(0.5);
    for (const [traceId, sampled] of decisions) {
      expect(sameRatio.shouldSample({ traceId, name: 'elsewhere' })).toBe(sampled);
    }
  });

  it('the tail policy keeps errors and slow traces and samples the rest', async () => {
    const { exporter, tracer } = setup({ tail: { keepErrors: true, slowerThanMs: 30, ratio: 0 } });
    await tracer.trace('fast-ok', () => undefined);
    await tracer.trace('slow', () => delay(40)).catch(() => undefined);
    await tracer.trace('error', () => Promise.reject(new Error('x'))).catch(() => undefined);
    await tracer.flush();
    expect(
      exporter
        .traces()
        .map((t) => t.name)
        .sort(),
    ).toEqual(['error', 'slow']);
    expect(tracer.stats().tracesDroppedByTail).toBe(1);
  });
});

describe('failure isolation', () => {
  it('a throwing exporter never throws into the caller', async () => {
    const onError = vi.fn();
    const exporter: Exporter = {
      name: 'broken',
      export() {
        throw new Error('exporter exploded');
      },
    };
    const tracer = createTracer({
      serviceName: 'svc',
      exporter,
      onError,
      batch: { scheduledDelayMs: 1, maxRetries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 2 },
    });
    await expect(tracer.trace('t', () => 'fine')).resolves.toBe('fine');
    await expect(tracer.flush()).resolves.toBeUndefined();
    expect(onError).toHaveBeenCalled();
  });

  it('context: false keeps explicit handles working without implicit context', async () => {
    const { exporter, tracer } = setup({ context: false });
    await tracer.trace('explicit', async (trace) => {
      expect(currentTrace()).toBeUndefined();
      const child = trace.startSpan('child');
      child.startSpan('grandchild').end();
      child.end();
    });
    const spans = exporter.traces()[0]!.spans;
    expect(spans.map((s) => s.name)).toEqual(['explicit', 'child', 'grandchild']);
    expect(spans[2]!.parentId).toBe(spans[1]!.spanId);
  });
});
