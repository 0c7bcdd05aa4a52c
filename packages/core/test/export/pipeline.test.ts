import { afterEach, describe, expect, it, vi } from 'vitest';
import { isUntraced, runWithCarrier } from '../../src/context/storage';
import { ExportError } from '../../src/export/export-error';
import {
  ExportPipeline,
  type ExportPipelineOptions,
  type ExportProblem,
} from '../../src/export/pipeline';
import type { ExportBatch, Exporter, ExportResult } from '../../src/types';
import { fakeLog, fakeTrace } from './helpers/fake-trace';

interface Call {
  batch: ExportBatch;
  signal: AbortSignal;
  untraced: boolean;
}

type Script = (
  batch: ExportBatch,
  attempt: number,
  signal: AbortSignal,
) => ExportResult | Promise<ExportResult>;

/** An exporter whose answers the test decides; records every call. */
function scriptedExporter(script: Script = () => ({ ok: true })) {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let shutdowns = 0;
  const exporter = {
    name: 'scripted',
    calls,
    maxInFlight: () => maxInFlight,
    shutdowns: () => shutdowns,
    async export(batch: ExportBatch, signal: AbortSignal): Promise<ExportResult> {
      calls.push({ batch, signal, untraced: isUntraced() });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await script(batch, calls.length - 1, signal);
      } finally {
        inFlight--;
      }
    },
    shutdown() {
      shutdowns++;
    },
  } satisfies Exporter & Record<string, unknown>;
  return exporter;
}

function deliveredIds(calls: Call[]): string[] {
  return calls.flatMap((c) => c.batch.traces.map((t) => t.id));
}

function pipelineWith(exporter: Exporter, options: Partial<ExportPipelineOptions> = {}) {
  const problems: ExportProblem[] = [];
  const pipeline = new ExportPipeline({
    exporter,
    scheduledDelayMs: 60_000,
    retryInitialDelayMs: 1,
    retryMaxDelayMs: 5,
    onError: (p) => problems.push(p),
    ...options,
  });
  return { pipeline, problems };
}

const retryable = (message = 'collector down'): ExportResult => ({
  ok: false,
  retryable: true,
  error: new Error(message),
});

/** True when `promise` has already settled (checked after pending microtasks run). */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('batching', () => {
  it('sends a full batch at once and the rest on flush, in order, never splitting a trace', async () => {
    const exporter = scriptedExporter();
    const { pipeline } = pipelineWith(exporter, { maxBatchTraces: 3 });
    const traces = Array.from({ length: 7 }, () => fakeTrace({ spanCount: 2 }));
    const promises = traces.map((t) => pipeline.enqueueTrace(t));
    await Promise.all(promises.slice(0, 6));
    await new Promise((resolve) => setImmediate(resolve));
    // The seventh waits for the delay: nobody awaits it.
    expect(exporter.calls.map((c) => c.batch.traces.length)).toEqual([3, 3]);

    await pipeline.flush();
    expect(exporter.calls.map((c) => c.batch.traces.length)).toEqual([3, 3, 1]);
    expect(deliveredIds(exporter.calls)).toEqual(traces.map((t) => t.id));
    for (const call of exporter.calls) {
      for (const trace of call.batch.traces) expect(trace.spans).toHaveLength(2);
    }
    expect(pipeline.stats()).toMatchObject({ tracesExported: 7, spansExported: 14 });
  });

  it('sends what is queued once the scheduled delay passes', async () => {
    const exporter = scriptedExporter();
    const { pipeline } = pipelineWith(exporter, { scheduledDelayMs: 10 });
    const a = pipeline.enqueueTrace(fakeTrace());
    const b = pipeline.enqueueTrace(fakeTrace());
    await Promise.all([a, b]);
    expect(exporter.calls).toHaveLength(1);
    expect(exporter.calls[0]!.batch.traces).toHaveLength(2);
  });

  it('sends an urgent trace without waiting for the delay', async () => {
    const exporter = scriptedExporter();
    const { pipeline } = pipelineWith(exporter, { scheduledDelayMs: 600_000 });
    const trace = fakeTrace();
    await pipeline.enqueueTrace(trace, { urgent: true });
    expect(deliveredIds(exporter.calls)).toEqual([trace.id]);
  });

  it('shares one promise among the traces of a batch', () => {
    const { pipeline } = pipelineWith(scriptedExporter(), { maxBatchTraces: 2 });
    const a = pipeline.enqueueTrace(fakeTrace());
    const b = pipeline.enqueueTrace(fakeTrace());
    const c = pipeline.enqueueTrace(fakeTrace());
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('serialises each trace once, off the enqueue call, even across retries', async () => {
    let failures = 1;
    const exporter = scriptedExporter(() => (failures-- > 0 ? retryable() : { ok: true }));
    const { pipeline } = pipelineWith(exporter);
    const trace = fakeTrace();
    const done = pipeline.enqueueTrace(trace, { urgent: true });
    expect(trace.serialised).toBe(0);
    await done;
    expect(exporter.calls).toHaveLength(2);
    expect(exporter.calls[0]!.batch).toBe(exporter.calls[1]!.batch);
    expect(trace.serialised).toBe(1);
  });

  it('drops a trace whose toJSON throws and still delivers the rest of its batch', async () => {
    const exporter = scriptedExporter();
    const { pipeline, problems } = pipelineWith(exporter);
    const good = fakeTrace();
    const bad = fakeTrace({ throwOnToJSON: true });
    pipeline.enqueueTrace(good);
    await pipeline.enqueueTrace(bad, { urgent: true });
    expect(deliveredIds(exporter.calls)).toEqual([good.id]);
    expect(pipeline.stats().tracesDropped['serialize-failed']).toBe(1);
    expect(pipeline.stats().tracesExported).toBe(1);
    expect(problems).toEqual([expect.objectContaining({ kind: 'serialize', dropped: 1 })]);
    expect(problems[0]!.message).toContain(bad.id);
  });

  it('keeps at most maxConcurrentExports batches in flight', async () => {
    for (const maxConcurrentExports of [1, 3]) {
      const exporter = scriptedExporter(async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        return { ok: true };
      });
      // A batch of 2 is 200 bytes: no room to merge waiting batches.
      const { pipeline } = pipelineWith(exporter, {
        maxBatchTraces: 2,
        maxBatchBytes: 200,
        maxConcurrentExports,
      });
      const all = Array.from({ length: 40 }, () => pipeline.enqueueTrace(fakeTrace()));
      await Promise.all(all);
      expect(exporter.calls.length).toBeGreaterThan(1);
      expect(exporter.maxInFlight()).toBe(maxConcurrentExports);
      expect(pipeline.stats().tracesExported).toBe(40);
    }
  });

  it('merges waiting batches into larger requests, bounded by maxBatchBytes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const exporter = scriptedExporter(async (_, attempt) => {
      if (attempt === 0) await gate;
      return { ok: true };
    });
    const { pipeline } = pipelineWith(exporter, {
      maxBatchTraces: 10,
      maxConcurrentExports: 1,
      maxBatchBytes: 3000,
    });
    const traces = Array.from({ length: 100 }, () => fakeTrace({ bytes: 100 }));
    const promises = traces.map((t) => pipeline.enqueueTrace(t));
    await new Promise((resolve) => setImmediate(resolve));
    // Ten full batches wait for the one request slot: whole batches of 10 are
    // merged up to 3000 estimated bytes (30 traces).
    expect(exporter.calls.map((c) => c.batch.traces.length)).toEqual([30]);
    release();
    await Promise.all(promises);
    expect(exporter.calls.map((c) => c.batch.traces.length)).toEqual([30, 30, 30, 10]);
    expect(deliveredIds(exporter.calls)).toEqual(traces.map((t) => t.id));
  });

  it("exports outside the caller's trace context", async () => {
    const exporter = scriptedExporter();
    const { pipeline } = pipelineWith(exporter);
    const carrier = { isContextCarrier: true as const };
    await runWithCarrier(carrier, () => pipeline.enqueueTrace(fakeTrace(), { urgent: true }));
    expect(exporter.calls[0]!.untraced).toBe(true);
  });

  it('does not keep the process alive while traces wait for the delay', () => {
    const { pipeline } = pipelineWith(scriptedExporter(), { scheduledDelayMs: 600_000 });
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    pipeline.enqueueTrace(fakeTrace());
    pipeline.enqueueLog(fakeLog('queued'));
    expect(timeouts()).toBe(before);
  });
});

describe('logs', () => {
  it('batches standalone logs by size and on flush', async () => {
    const exporter = scriptedExporter();
    const { pipeline } = pipelineWith(exporter, { maxBatchLogs: 4 });
    for (let i = 0; i < 10; i++) pipeline.enqueueLog(fakeLog(`log ${i}`));
    await pipeline.flush();
    expect(exporter.calls.map((c) => c.batch.logs.length)).toEqual([4, 4, 2]);
    expect(exporter.calls.flatMap((c) => c.batch.logs.map((l) => l.message))).toEqual(
      Array.from({ length: 10 }, (_, i) => `log ${i}`),
    );
    expect(pipeline.stats().logsExported).toBe(10);
  });

  it('bounds queued logs by count', async () => {
    const { pipeline, problems } = pipelineWith(scriptedExporter(), {
      maxQueueLogs: 5,
      maxBatchLogs: 5,
    });
    for (let i = 0; i < 8; i++) pipeline.enqueueLog(fakeLog(`log ${i}`));
    expect(pipeline.stats().queueDepth.logs).toBeLessThanOrEqual(5);
    expect(pipeline.stats().logsDropped['queue-full']).toBe(3);
    await pipeline.flush();
    expect(pipeline.stats().logsExported).toBe(5);
    // Overflow is reported on a later turn of the event loop, never inside enqueue.
    await new Promise((resolve) => setImmediate(resolve));
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'queue-full', dropped: 3 }));
  });
});

describe('bounded queue', () => {
  it('drops a burst far beyond the bound without growing, and delivers what it kept', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const exporter = scriptedExporter(async () => {
      await gate;
      return { ok: true };
    });
    const { pipeline, problems } = pipelineWith(exporter, { maxQueueTraces: 1000 });
    let maxDepth = 0;
    const kept: Promise<void>[] = [];
    let firstDropped: Promise<void> | undefined;
    for (let i = 0; i < 50_000; i++) {
      const before = pipeline.stats().tracesDropped['queue-full'];
      const p = pipeline.enqueueTrace(fakeTrace());
      if (pipeline.stats().tracesDropped['queue-full'] > before) firstDropped ??= p;
      else kept.push(p);
      maxDepth = Math.max(maxDepth, pipeline.stats().queueDepth.traces);
    }
    expect(maxDepth).toBe(1000);
    expect(kept).toHaveLength(1000);
    expect(pipeline.stats().tracesDropped['queue-full']).toBe(49_000);
    expect(await isSettled(firstDropped!)).toBe(true);
    expect(problems.filter((p) => p.kind === 'queue-full')).toEqual([
      expect.objectContaining({ dropped: 49_000 }),
    ]);

    // While the exporter is stuck, the bound still holds (in-flight traces count).
    for (let i = 0; i < 100; i++) pipeline.enqueueTrace(fakeTrace());
    expect(pipeline.stats().queueDepth.traces).toBe(1000);

    release();
    await pipeline.flush();
    expect(pipeline.stats().tracesExported).toBe(1000);
    expect(pipeline.stats().queueDepth).toEqual({ traces: 0, logs: 0, bytes: 0 });
    expect(await isSettled(Promise.all(kept))).toBe(true);
  });

  it('bounds the queue by estimated bytes', async () => {
    const exporter = scriptedExporter();
    const { pipeline } = pipelineWith(exporter, { maxQueueBytes: 1000 });
    for (let i = 0; i < 4; i++) pipeline.enqueueTrace(fakeTrace({ bytes: 300 }));
    expect(pipeline.stats().queueDepth).toMatchObject({ traces: 3, bytes: 900 });
    const huge = pipeline.enqueueTrace(fakeTrace({ bytes: 5000 }));
    expect(await isSettled(huge)).toBe(true);
    expect(pipeline.stats().tracesDropped['queue-full']).toBe(2);
    await pipeline.flush();
    expect(pipeline.stats().tracesExported).toBe(3);
  });
});

describe('retries', () => {
  it('retries a retryable failure and delivers the batch exactly once', async () => {
    const exporter = scriptedExporter((_, attempt) => (attempt < 2 ? retryable() : { ok: true }));
    const { pipeline, problems } = pipelineWith(exporter);
    const trace = fakeTrace();
    await pipeline.enqueueTrace(trace, { urgent: true });
    expect(exporter.calls).toHaveLength(3);
    expect(pipeline.stats()).toMatchObject({ tracesExported: 1, retries: 2, failedBatches: 0 });
    expect(problems.map((p) => p.kind)).toEqual(['network', 'network']);
    expect(problems[0]!.message).toContain('retry 1 of 5');
  });

  it('gives up after maxRetries and counts retries-exhausted', async () => {
    const exporter = scriptedExporter(() => retryable());
    const { pipeline, problems } = pipelineWith(exporter, { maxRetries: 2 });
    await pipeline.enqueueTrace(fakeTrace(), { urgent: true });
    expect(exporter.calls).toHaveLength(3);
    expect(pipeline.stats().tracesDropped['retries-exhausted']).toBe(1);
    expect(pipeline.stats().failedBatches).toBe(1);
    expect(problems.at(-1)).toMatchObject({ kind: 'network', dropped: 1 });
    expect(problems.at(-1)!.message).toContain('after 3 attempt(s)');
  });

  it('drops a non-retryable failure without retrying', async () => {
    const exporter = scriptedExporter(() => ({
      ok: false,
      retryable: false,
      error: new ExportError('http-status', 'HTTP 400', { status: 400 }),
    }));
    const { pipeline, problems } = pipelineWith(exporter);
    await pipeline.enqueueTrace(fakeTrace(), { urgent: true });
    expect(exporter.calls).toHaveLength(1);
    expect(pipeline.stats().tracesDropped.rejected).toBe(1);
    expect(problems).toEqual([expect.objectContaining({ kind: 'rejected', dropped: 1 })]);
  });

  it('treats a throwing or rejecting exporter as retryable, never throwing to the caller', async () => {
    let n = 0;
    const exporter: Exporter = {
      name: 'flaky',
      export() {
        n++;
        if (n === 1) throw new Error('sync boom');
        if (n === 2) return Promise.reject(new Error('async boom'));
        return { ok: true };
      },
    };
    const { pipeline, problems } = pipelineWith(exporter);
    const trace = fakeTrace();
    await expect(pipeline.enqueueTrace(trace, { urgent: true })).resolves.toBeUndefined();
    expect(n).toBe(3);
    expect(pipeline.stats().tracesExported).toBe(1);
    expect(problems.map((p) => p.kind)).toEqual(['exporter-threw', 'exporter-threw']);
    expect(problems[0]!.message).toContain('sync boom');
  });

  it('does not resend when an exporter returns something that is not a result', async () => {
    const exporter = { name: 'broken', export: () => undefined } as unknown as Exporter;
    const { pipeline, problems } = pipelineWith(exporter);
    await pipeline.enqueueTrace(fakeTrace(), { urgent: true });
    expect(pipeline.stats().tracesDropped.rejected).toBe(1);
    expect(problems[0]!.message).toContain('instead of an ExportResult');
  });

  it('keeps queueing new traces while a batch is retried', async () => {
    let failing = true;
    const exporter = scriptedExporter(() => (failing ? retryable() : { ok: true }));
    const { pipeline } = pipelineWith(exporter, { retryInitialDelayMs: 5, retryMaxDelayMs: 5 });
    const first = pipeline.enqueueTrace(fakeTrace(), { urgent: true });
    while (exporter.calls.length < 2) await new Promise((r) => setTimeout(r, 1));
    const later = Array.from({ length: 5 }, () => pipeline.enqueueTrace(fakeTrace()));
    expect(pipeline.stats().queueDepth.traces).toBe(6);
    failing = false;
    await first;
    await pipeline.flush();
    await Promise.all(later);
    expect(pipeline.stats().tracesExported).toBe(6);
  });
});

describe('backoff timing (fake clock)', () => {
  it('waits full-jitter exponential delays, capped by retryMaxDelayMs', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const exporter = scriptedExporter(() => retryable());
    const { pipeline } = pipelineWith(exporter, {
      maxRetries: 4,
      retryInitialDelayMs: 100,
      retryMaxDelayMs: 300,
    });
    const done = pipeline.enqueueTrace(fakeTrace(), { urgent: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(exporter.calls).toHaveLength(1);
    // Ceilings 100, 200, 300 (capped), 300; with random() = 0.5: 50, 100, 150, 150.
    for (const delay of [50, 100, 150, 150]) {
      const before = exporter.calls.length;
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(exporter.calls).toHaveLength(before);
      await vi.advanceTimersByTimeAsync(1);
      expect(exporter.calls).toHaveLength(before + 1);
    }
    await done;
    expect(pipeline.stats().tracesDropped['retries-exhausted']).toBe(1);
  });

  it('waits Retry-After instead of the backoff, capped by retryMaxDelayMs', async () => {
    vi.useFakeTimers();
    const waits: number[] = [];
    for (const [retryAfterMs, cap] of [
      [5000, 60_000],
      [5000, 200],
    ] as const) {
      const exporter = scriptedExporter((_, attempt) =>
        attempt === 0
          ? { ok: false, retryable: true, retryAfterMs, error: new Error('429') }
          : { ok: true },
      );
      const { pipeline } = pipelineWith(exporter, {
        retryInitialDelayMs: 1,
        retryMaxDelayMs: cap,
      });
      const done = pipeline.enqueueTrace(fakeTrace(), { urgent: true });
      await vi.advanceTimersByTimeAsync(0);
      let waited = 0;
      while (exporter.calls.length < 2) {
        await vi.advanceTimersByTimeAsync(1);
        waited++;
      }
      waits.push(waited);
      await done;
    }
    expect(waits).toEqual([5000, 200]);
  });

  it('bounds an attempt by exportTimeoutMs even when the exporter ignores its signal', async () => {
    vi.useFakeTimers();
    const exporter = scriptedExporter((_, attempt) =>
      attempt === 0 ? new Promise<ExportResult>(() => undefined) : { ok: true },
    );
    const { pipeline, problems } = pipelineWith(exporter, { exportTimeoutMs: 1000 });
    const done = pipeline.enqueueTrace(fakeTrace(), { urgent: true });
    await vi.advanceTimersByTimeAsync(999);
    expect(exporter.calls[0]!.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(exporter.calls[0]!.signal.aborted).toBe(true);
    expect((exporter.calls[0]!.signal.reason as Error).name).toBe('TimeoutError');
    await vi.advanceTimersByTimeAsync(10);
    await done;
    expect(exporter.calls).toHaveLength(2);
    expect(problems[0]).toMatchObject({ kind: 'timeout' });
    expect(pipeline.stats().tracesExported).toBe(1);
  });
});

describe('flush and shutdown', () => {
  it('flush waits for a batch that is being retried', async () => {
    const exporter = scriptedExporter((_, attempt) => (attempt < 3 ? retryable() : { ok: true }));
    const { pipeline } = pipelineWith(exporter);
    pipeline.enqueueTrace(fakeTrace());
    pipeline.enqueueLog(fakeLog('standalone'));
    await pipeline.flush();
    expect(exporter.calls).toHaveLength(4);
    expect(pipeline.stats()).toMatchObject({ tracesExported: 1, logsExported: 1 });
  });

  it('flush resolves at its timeout when the exporter hangs, leaving the trace queued', async () => {
    const exporter = scriptedExporter(() => new Promise<ExportResult>(() => undefined));
    const { pipeline } = pipelineWith(exporter, { exportTimeoutMs: 60_000 });
    const trace = pipeline.enqueueTrace(fakeTrace());
    await expect(pipeline.flush(20)).resolves.toBeUndefined();
    expect(await isSettled(trace)).toBe(false);
    expect(pipeline.stats().queueDepth.traces).toBe(1);
    await pipeline.shutdown(0);
    expect(await isSettled(trace)).toBe(true);
  });

  it('flush and shutdown resolve immediately when there is nothing to do', async () => {
    const exporter = scriptedExporter();
    const { pipeline } = pipelineWith(exporter);
    await pipeline.flush();
    await pipeline.shutdown();
    expect(exporter.calls).toHaveLength(0);
    expect(exporter.shutdowns()).toBe(1);
  });

  it('shutdown drains every queued trace and log, then shuts the exporter down', async () => {
    const exporter = scriptedExporter(async (_, attempt) =>
      attempt === 1 ? retryable() : { ok: true },
    );
    const { pipeline } = pipelineWith(exporter, { maxBatchTraces: 16 });
    const traces = Array.from({ length: 100 }, () => fakeTrace());
    const promises = traces.map((t) => pipeline.enqueueTrace(t));
    for (let i = 0; i < 30; i++) pipeline.enqueueLog(fakeLog(`log ${i}`));
    await pipeline.shutdown();
    expect(await isSettled(Promise.all(promises))).toBe(true);
    const ids = exporter.calls
      .filter((_, i) => i !== 1)
      .flatMap((c) => c.batch.traces.map((t) => t.id));
    expect(ids.sort()).toEqual(traces.map((t) => t.id).sort());
    expect(pipeline.stats()).toMatchObject({ tracesExported: 100, logsExported: 30 });
    expect(exporter.shutdowns()).toBe(1);
  });

  it('accepts traces that end while shutdown drains', async () => {
    const exporter = scriptedExporter(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { ok: true };
    });
    const { pipeline } = pipelineWith(exporter);
    pipeline.enqueueTrace(fakeTrace());
    const stopping = pipeline.shutdown();
    const late = pipeline.enqueueTrace(fakeTrace());
    await stopping;
    expect(await isSettled(late)).toBe(true);
    expect(pipeline.stats().tracesExported).toBe(2);
  });

  it('at the shutdown deadline, drops what was never sent and counts the cancelled request as unconfirmed', async () => {
    const exporter = scriptedExporter(() => new Promise<ExportResult>(() => undefined));
    const { pipeline, problems } = pipelineWith(exporter, {
      maxBatchTraces: 2,
      maxBatchBytes: 200,
      maxConcurrentExports: 1,
    });
    const promises = Array.from({ length: 5 }, () => pipeline.enqueueTrace(fakeTrace()));
    await new Promise((resolve) => setImmediate(resolve));
    pipeline.enqueueLog(fakeLog('left behind'));
    await pipeline.shutdown(30);
    expect(await isSettled(Promise.all(promises))).toBe(true);
    expect(exporter.calls).toHaveLength(1);
    expect(exporter.calls[0]!.signal.aborted).toBe(true);
    // The collector may have stored the two it was sent: not counted as lost.
    expect(pipeline.stats()).toMatchObject({
      tracesExported: 0,
      tracesUnconfirmed: 2,
      tracesDropped: { shutdown: 3 },
      logsDropped: { shutdown: 1 },
      failedBatches: 1,
      queueDepth: { traces: 0, logs: 0, bytes: 0 },
    });
    expect(problems.at(-1)).toMatchObject({ kind: 'timeout', dropped: 4 });
    expect(problems.at(-1)!.message).toContain('2 trace(s) and 0 log(s) in flight were cancelled');
  });

  it('at the shutdown deadline, a batch waiting out a backoff is dropped, not unconfirmed', async () => {
    const exporter = scriptedExporter(() => retryable());
    const { pipeline } = pipelineWith(exporter, {
      retryInitialDelayMs: 60_000,
      retryMaxDelayMs: 60_000,
    });
    vi.spyOn(Math, 'random').mockReturnValue(0.99);
    pipeline.enqueueTrace(fakeTrace());
    pipeline.enqueueTrace(fakeTrace());
    await pipeline.shutdown(50);
    expect(exporter.calls).toHaveLength(1);
    expect(pipeline.stats()).toMatchObject({
      tracesUnconfirmed: 0,
      tracesDropped: { shutdown: 2 },
      retries: 1,
    });
  });

  it('after shutdown, enqueues resolve at once and count as shutdown drops', async () => {
    const exporter = scriptedExporter();
    const { pipeline } = pipelineWith(exporter);
    await pipeline.shutdown();
    const late = pipeline.enqueueTrace(fakeTrace(), { urgent: true });
    pipeline.enqueueLog(fakeLog('late'));
    expect(await isSettled(late)).toBe(true);
    expect(pipeline.stats().tracesDropped.shutdown).toBe(1);
    expect(pipeline.stats().logsDropped.shutdown).toBe(1);
    expect(exporter.calls).toHaveLength(0);
    expect(pipeline.shutdown()).toBe(pipeline.shutdown());
  });

  it('survives an exporter whose shutdown throws', async () => {
    const exporter: Exporter = {
      name: 'bad-shutdown',
      export: () => ({ ok: true }),
      shutdown() {
        throw new Error('cannot close');
      },
    };
    const { pipeline, problems } = pipelineWith(exporter);
    await expect(pipeline.shutdown()).resolves.toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ kind: 'exporter-threw' })]);
  });
});

describe('problem reporting', () => {
  it('swallows an onError that throws, or rejects', async () => {
    const exporter = scriptedExporter((_, attempt) => (attempt === 0 ? retryable() : { ok: true }));
    let calls = 0;
    const pipeline = new ExportPipeline({
      exporter,
      retryInitialDelayMs: 1,
      retryMaxDelayMs: 1,
      onError: (() => {
        calls++;
        if (calls === 1) throw new Error('onError is broken');
        return Promise.reject(new Error('async onError is broken'));
      }) as () => void,
    });
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      pipeline.enqueueTrace(fakeTrace({ throwOnToJSON: true }));
      await pipeline.enqueueTrace(fakeTrace(), { urgent: true });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', unhandled);
    }
    expect(calls).toBe(2);
    expect(pipeline.stats().tracesExported).toBe(1);
    expect(unhandled).not.toHaveBeenCalled();
  });

  it('without onError, warns once per problem kind with a [tracewire] prefix', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const exporter: Exporter = {
      name: 'throws',
      export() {
        throw new Error('boom');
      },
    };
    const pipeline = new ExportPipeline({
      exporter,
      maxRetries: 3,
      retryInitialDelayMs: 0,
      retryMaxDelayMs: 0,
    });
    await pipeline.enqueueTrace(fakeTrace(), { urgent: true });
    await pipeline.enqueueTrace(fakeTrace(), { urgent: true });
    const ours = warn.mock.calls.filter((args) => String(args[0]).includes("'exporter-threw'"));
    expect(ours).toHaveLength(1);
    expect(String(ours[0]![0])).toMatch(/^\[tracewire\] /);
  });
});

describe('options', () => {
  const exporter = scriptedExporter();
  it.each([
    [{ maxQueueTraces: 0 }, /maxQueueTraces.*integer >= 1/],
    [{ maxQueueBytes: Number.NaN }, /maxQueueBytes/],
    [{ scheduledDelayMs: -1 }, /scheduledDelayMs.*>= 0/],
    [{ maxRetries: 1.5 }, /maxRetries/],
    [{ exportTimeoutMs: 0 }, /exportTimeoutMs/],
    [{ maxBatchTraces: 10, maxQueueTraces: 5 }, /maxBatchTraces.*cannot exceed.*maxQueueTraces/],
    [{ maxBatchLogs: 10, maxQueueLogs: 5 }, /maxBatchLogs.*cannot exceed/],
    [{ retryInitialDelayMs: 100, retryMaxDelayMs: 10 }, /retryMaxDelayMs.*below/],
    [{ onError: 'log' }, /onError.*function/],
  ])('rejects %o at construction', (bad, message) => {
    expect(() => new ExportPipeline({ exporter, ...(bad as object) })).toThrow(message);
  });

  it('rejects a missing or malformed exporter', () => {
    expect(() => new ExportPipeline({} as ExportPipelineOptions)).toThrow(
      /export\(batch, signal\)/,
    );
    expect(() => new ExportPipeline({ exporter: { name: 'x' } as unknown as Exporter })).toThrow(
      /exporter/,
    );
  });

  it('treats undefined options as defaults', () => {
    expect(
      () => new ExportPipeline({ exporter, maxQueueTraces: undefined, onError: undefined }),
    ).not.toThrow();
  });
});
