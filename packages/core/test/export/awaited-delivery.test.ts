import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryExporter } from '../../src/export/memory-exporter';
import { ExportPipeline, type ExportProblem } from '../../src/export/pipeline';
import { createTracer } from '../../src/tracer';
import type { ExportBatch, Exporter, ExportResult } from '../../src/types';
import { fakeTrace } from './helpers/fake-trace';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** An exporter that never answers until `answer()` is called. */
function heldExporter() {
  const pending: ((result: ExportResult) => void)[] = [];
  const batches: ExportBatch[] = [];
  const exporter: Exporter = {
    name: 'held',
    export(batch) {
      batches.push(batch);
      return new Promise<ExportResult>((resolve) => pending.push(resolve));
    },
  };
  return {
    exporter,
    batches,
    answer: (result: ExportResult = { ok: true }) => {
      for (const resolve of pending.splice(0)) resolve(result);
    },
  };
}

describe('awaiting a delivery', () => {
  it('sends its batch at once instead of after the scheduled delay', async () => {
    const exporter = memoryExporter();
    const pipeline = new ExportPipeline({ exporter, scheduledDelayMs: 600_000 });
    const trace = fakeTrace();
    await pipeline.enqueueTrace(trace);
    expect(exporter.traces().map((t) => t.id)).toEqual([trace.id]);
  });

  it("keeps one ref'd handle while awaited, none before, and clears it once delivered", async () => {
    const held = heldExporter();
    const pipeline = new ExportPipeline({
      exporter: held.exporter,
      scheduledDelayMs: 600_000,
      flushTimeoutMs: 4321,
    });
    const made = vi.spyOn(globalThis, 'setTimeout');
    const cleared = vi.spyOn(globalThis, 'clearTimeout');
    const timers = () => made.mock.results.map((r) => r.value as NodeJS.Timeout);
    const delivery = pipeline.enqueueTrace(fakeTrace());
    // Nobody waits yet: the batch timer exists, and nothing could keep the process alive.
    expect(timers().length).toBeGreaterThan(0);
    expect(timers().every((timer) => !timer.hasRef())).toBe(true);
    let done = false;
    void delivery.then(() => {
      done = true;
    });
    const keepAlive = timers()[made.mock.calls.findIndex((call) => call[1] === 4321)];
    expect(keepAlive?.hasRef()).toBe(true);
    await tick();
    expect(held.batches).toHaveLength(1);
    // Besides the keep-alive, only unref'd timers (the attempt's timeout).
    expect(timers().filter((timer) => timer.hasRef())).toEqual([keepAlive]);
    held.answer();
    await delivery;
    expect(done).toBe(true);
    expect(cleared).toHaveBeenCalledWith(keepAlive);
  });

  it('resolves after flushTimeoutMs when the collector hangs, leaving the trace queued', async () => {
    const held = heldExporter();
    const pipeline = new ExportPipeline({
      exporter: held.exporter,
      scheduledDelayMs: 600_000,
      flushTimeoutMs: 30,
    });
    await pipeline.enqueueTrace(fakeTrace());
    expect(pipeline.stats()).toMatchObject({ tracesExported: 0, queueDepth: { traces: 1 } });
    held.answer();
    await pipeline.flush(1000);
    expect(pipeline.stats()).toMatchObject({ tracesExported: 1, queueDepth: { traces: 0 } });
  });

  it('is a real promise: catch, finally and Promise.all work, and count as awaiting', async () => {
    const exporter = memoryExporter();
    const pipeline = new ExportPipeline({ exporter, scheduledDelayMs: 600_000 });
    const a = pipeline.enqueueTrace(fakeTrace());
    expect(a).toBeInstanceOf(Promise);
    await a.finally(() => undefined);
    const b = pipeline.enqueueTrace(fakeTrace());
    await Promise.all([b]);
    const c = pipeline.enqueueTrace(fakeTrace());
    await c.catch(() => undefined);
    expect(exporter.traces()).toHaveLength(3);
  });

  it('await trace.end() sends at once to every exporter, and resolves once both have it', async () => {
    const first = memoryExporter();
    const second = memoryExporter();
    const tracer = createTracer({
      serviceName: 'two-sinks',
      exporter: [first, second],
      batch: { scheduledDelayMs: 600_000 },
    });
    const trace = tracer.startTrace('job');
    await trace.end();
    expect(first.find(trace.id)).toBeDefined();
    expect(second.find(trace.id)).toBeDefined();
    const recorded = tracer.record({ name: 'one-off', durationMs: 3 });
    await recorded;
    expect(first.traces()).toHaveLength(2);
    expect(second.traces()).toHaveLength(2);
  });

  it('a trace ended and not awaited waits for its batch (no per-request send)', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({
      serviceName: 'server',
      exporter,
      batch: { scheduledDelayMs: 600_000 },
    });
    for (let i = 0; i < 10; i++) void tracer.startTrace('GET /').end();
    await tick();
    expect(exporter.traces()).toHaveLength(0);
    await tracer.flush();
    expect(exporter.traces()).toHaveLength(10);
  });
});

describe('a failing collector', () => {
  it('is not hit harder because requests run in parallel: one attempt at a time until one succeeds', async () => {
    let failing = true;
    let failuresSeen = 0;
    // Attempts that started while the collector was known to fail, and their overlap.
    let probesInFlight = 0;
    let probes = 0;
    let probeOverlap = 0;
    const exporter: Exporter = {
      name: 'flaky',
      async export(): Promise<ExportResult> {
        const probe = failing && failuresSeen > 0;
        if (probe) {
          probes++;
          probesInFlight++;
          probeOverlap = Math.max(probeOverlap, probesInFlight);
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (probe) probesInFlight--;
        if (failing) {
          failuresSeen++;
          if (failuresSeen >= 12) failing = false;
          return { ok: false, retryable: true, error: new Error('503') };
        }
        return { ok: true };
      },
    };
    const problems: ExportProblem[] = [];
    const pipeline = new ExportPipeline({
      exporter,
      maxBatchTraces: 1,
      maxBatchBytes: 100,
      maxConcurrentExports: 4,
      maxRetries: 20,
      retryInitialDelayMs: 1,
      retryMaxDelayMs: 4,
      scheduledDelayMs: 600_000,
      onError: (p) => problems.push(p),
    });
    const all = Array.from({ length: 8 }, () => pipeline.enqueueTrace(fakeTrace()));
    await Promise.all(all);
    expect(probes).toBeGreaterThan(6);
    // The first four went out together; once one had failed, every attempt
    // waited its turn (and the backoff) until one succeeded.
    expect(probeOverlap).toBe(1);
    expect(pipeline.stats()).toMatchObject({ tracesExported: 8 });
  });
});
