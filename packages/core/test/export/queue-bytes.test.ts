import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { httpExporter } from '../../src/export/http-exporter';
import { memoryExporter } from '../../src/export/memory-exporter';
import { ExportPipeline } from '../../src/export/pipeline';
import type { Trace } from '../../src/trace';
import { createTracer, type Tracer } from '../../src/tracer';
import { closedPortUrl } from './helpers/collector';
import { fakeTrace } from './helpers/fake-trace';

const tracers: Tracer[] = [];
afterEach(async () => {
  await Promise.all(tracers.splice(0).map((t) => t.shutdown(0)));
});

/** A tracer whose traces are only inspected, never sent. */
function looseTracer(): Tracer {
  const tracer = createTracer({
    serviceName: 'sizes',
    exporter: memoryExporter(),
    limits: { maxAttributeValueLength: 300_000, maxIoBytes: 300_000 },
    onError: () => {},
  });
  tracers.push(tracer);
  return tracer;
}

function serialisedBytes(trace: Trace): number {
  return Buffer.byteLength(JSON.stringify(trace.toJSON()));
}

const shapes: Record<string, (trace: Trace) => void> = {
  'an empty trace': () => {},
  'a typical request': (trace) => {
    trace.rootSpan.setAttributes({
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'url.path': '/orders/42',
      'http.response.status_code': 200,
      'server.address': 'api.example.com',
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
    });
    trace.startSpan('db.query', { attributes: { 'db.system': 'postgresql', rows: 3 } }).end();
    trace.startSpan('cache.get', { attributes: { hit: true } }).end();
  },
  '15 KB header values': (trace) => {
    trace.rootSpan.setAttributes({
      'http.request.header.x-forwarded-for': 'a'.repeat(15_000),
      'http.request.header.x-trace-blob': 'b'.repeat(15_000),
    });
  },
  '250 KB attribute values': (trace) => {
    trace.rootSpan.setAttribute('payload', 'c'.repeat(250_000));
    trace.startSpan('child', { attributes: { blob: 'd'.repeat(250_000) } }).end();
  },
  'LLM input and output objects': (trace) => {
    const messages = Array.from({ length: 40 }, (_, i) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: `message ${i} `.repeat(30),
    }));
    trace
      .startSpan('llm', { kind: 'llm', model: 'gpt-4o', provider: 'openai' })
      .setIO({ messages, temperature: 0.2 }, { text: 'answer '.repeat(500), tokens: 812 })
      .end();
  },
  'events, logs, tags and an error': (trace) => {
    const span = trace.startSpan('work');
    for (let i = 0; i < 50; i++) span.addEvent(`step ${i}`, { index: i, note: 'x'.repeat(40) });
    span.setError(new Error('it broke '.repeat(20)));
    span.end();
    for (let i = 0; i < 30; i++) trace.log.info(`progress ${i}`, { attributes: { done: i } });
    trace.update({ tags: ['nightly', 'import'], attributes: { source: 's3://bucket/key' } });
  },
  'many small spans': (trace) => {
    for (let i = 0; i < 200; i++) {
      trace.startSpan(`span ${i}`, { attributes: { i, ok: true, name: `item-${i}` } }).end();
    }
  },
};

describe("a trace's estimated size", () => {
  it.each(Object.keys(shapes))('is within a factor of 1.5 of its serialised size: %s', (shape) => {
    const trace = looseTracer().startTrace({ name: 'GET /orders/:id', kind: 'server' });
    shapes[shape]!(trace);
    trace.end();
    const actual = serialisedBytes(trace);
    const estimate = trace.estimatedBytes;
    expect(estimate / actual).toBeGreaterThan(1 / 1.5);
    expect(estimate / actual).toBeLessThan(1.5);
  });

  it('never throws on hostile IO (cycles, throwing getters)', () => {
    const trace = looseTracer().startTrace('hostile');
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const throwing = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    trace.startSpan('s').setIO(cycle, throwing).end();
    trace.end();
    expect(trace.estimatedBytes).toBeGreaterThan(0);
  });
});

describe('the byte bound', () => {
  it('counts a batch in flight twice (its traces and their encoded copy) and frees it after', async () => {
    let finish!: () => void;
    const exporter = {
      name: 'held',
      export: () =>
        new Promise<{ ok: true }>((resolve) => {
          finish = () => resolve({ ok: true });
        }),
    };
    const pipeline = new ExportPipeline({ exporter, scheduledDelayMs: 60_000 });
    const sent = pipeline.enqueueTrace(fakeTrace({ bytes: 1000 }), { urgent: true });
    expect(pipeline.stats().queueDepth.bytes).toBe(1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pipeline.stats().queueDepth.bytes).toBe(2000);
    finish();
    await sent;
    expect(pipeline.stats().queueDepth.bytes).toBe(0);
  });

  it('keeps heap growth under maxQueueBytes with 250 KB attributes and a dead collector', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const maxQueueBytes = 16 * 1024 * 1024;
    const tracer = createTracer({
      serviceName: 'heavy',
      exporter: httpExporter({ url: await closedPortUrl() }),
      limits: { maxAttributeValueLength: 300_000 },
      batch: { maxQueueBytes, retryInitialDelayMs: 60_000, retryMaxDelayMs: 60_000 },
      onError: () => {},
    });
    tracers.push(tracer);
    gc();
    const before = process.memoryUsage().heapUsed;
    // 400 traces of 250 KB each: 100 MB if the bound did not hold.
    for (let i = 0; i < 400; i++) {
      const trace = tracer.startTrace({ name: 'POST /upload', kind: 'server' });
      trace.rootSpan.setAttribute(
        'http.request.header.x-blob',
        randomBytes(125_000).toString('hex'),
      );
      void trace.end();
      if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    const stats = tracer.stats();
    expect(stats.tracesDropped['queue-full']).toBeGreaterThan(300);
    expect(stats.queueDepth.bytes).toBeLessThanOrEqual(maxQueueBytes);
    // What the queue holds, plus 2 MiB for everything else the test allocates
    // (the error objects of failed attempts, compiled code, sockets).
    expect(growth).toBeLessThan(maxQueueBytes + 2 * 1024 * 1024);
  });
});
