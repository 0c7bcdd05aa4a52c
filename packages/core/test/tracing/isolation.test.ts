import { setTimeout as delay } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createTracer, currentSpan, currentTrace, memoryExporter, span } from '@tracewire/core';
import { describe, expect, it } from 'vitest';

describe('context isolation', () => {
  it('2,000 concurrent traces with awaits and timers: every span and log lands in its own trace', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({
      serviceName: 'iso',
      exporter,
      batch: { scheduledDelayMs: 5, maxQueueTraces: 10_000 },
    });
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        tracer.trace({ name: `job-${i}`, attributes: { i } }, async () => {
          await delay(i % 7);
          await span('outer', async (outer) => {
            outer.setAttribute('i', i);
            await new Promise<void>((resolve) => setTimeout(resolve, i % 3));
            currentTrace()!.log.info(`log ${i}`);
            await Promise.all([
              span('a', async (s) => {
                await delay(1);
                s.setAttribute('i', i);
              }),
              span('b', async (s) => {
                await new Promise<void>((resolve) => setImmediate(resolve));
                s.setAttribute('i', i);
                expect(currentSpan()).toBe(s);
              }),
            ]);
          });
        }),
      ),
    );
    await tracer.flush();
    const traces = exporter.traces();
    expect(traces).toHaveLength(2000);
    for (const trace of traces) {
      const i = trace.attributes.i;
      expect(trace.name).toBe(`job-${i}`);
      expect(trace.spans).toHaveLength(4);
      const [root, outer, a, b] = trace.spans;
      expect(outer!.parentId).toBe(root!.spanId);
      expect(a!.parentId).toBe(outer!.spanId);
      expect(b!.parentId).toBe(outer!.spanId);
      for (const s of trace.spans.slice(1)) {
        expect(s.traceId).toBe(trace.id);
        expect(s.attributes.i).toBe(i);
      }
      expect(trace.logs).toHaveLength(1);
      expect(trace.logs[0]!.message).toBe(`log ${i}`);
      expect(trace.logs[0]!.spanId).toBe(outer!.spanId);
    }
    await tracer.shutdown();
  });
});

describe('no retention', () => {
  it('after 100,000 finished traces the heap returns to its starting level', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let delivered = 0;
    const tracer = createTracer({
      serviceName: 'leak',
      exporter: {
        name: 'counting',
        export(batch) {
          delivered += batch.traces.length;
          return { ok: true };
        },
      },
      batch: { scheduledDelayMs: 1, maxBatchTraces: 512, maxQueueTraces: 200_000 },
    });
    const heap = async () => {
      await tracer.flush();
      for (let i = 0; i < 4; i++) {
        gc();
        await delay(5);
      }
      return process.memoryUsage().heapUsed;
    };
    // Warm up lazily-created state (pools, JIT) before measuring the baseline.
    for (let i = 0; i < 2000; i++) {
      await tracer.trace('warm', (t) => t.startSpan('s').end());
    }
    const before = await heap();
    for (let round = 0; round < 20; round++) {
      const ends: Promise<void>[] = [];
      for (let i = 0; i < 5000; i++) {
        const trace = tracer.startTrace({ name: 'req', attributes: { round } });
        trace.run(() => {
          span('child', (s) => s.setAttributes({ payload: 'x'.repeat(64) }));
          trace.log.info('hello');
        });
        ends.push(trace.end());
      }
      await Promise.all(ends);
    }
    const after = await heap();
    expect(delivered).toBe(102_000);
    // 100,000 retained traces would be tens of megabytes; allow a little noise.
    expect(after - before).toBeLessThan(3 * 1024 * 1024);
    await tracer.shutdown();
  });
});
