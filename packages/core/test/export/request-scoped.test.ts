import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportPipeline } from '../../src/export/pipeline';
import type { ExportBatch, Exporter, ExportResult } from '../../src/types';
import { fakeLog, fakeTrace } from './helpers/fake-trace';

// workerd is recognised by `navigator.userAgent`; these tests make Node look like it.
const realNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');

beforeEach(() => {
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: 'Cloudflare-Workers' },
    configurable: true,
  });
});

afterEach(() => {
  if (realNavigator) Object.defineProperty(globalThis, 'navigator', realNavigator);
  else delete (globalThis as { navigator?: unknown }).navigator;
});

/** An exporter whose answers wait until the test releases them. */
function heldExporter() {
  const batches: ExportBatch[] = [];
  const waiting: (() => void)[] = [];
  const exporter = {
    name: 'held',
    batches,
    releaseAll() {
      for (const release of waiting.splice(0)) release();
    },
    export(batch: ExportBatch): Promise<ExportResult> {
      batches.push(batch);
      return new Promise((resolve) => waiting.push(() => resolve({ ok: true })));
    },
  } satisfies Exporter & Record<string, unknown>;
  return exporter;
}

const ids = (batch: ExportBatch) => batch.traces.map((t) => t.id);
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('export pipeline on a request-scoped runtime (workerd)', () => {
  it('sends nothing on its own: no batch timer, however long it waits', async () => {
    const exporter = heldExporter();
    const pipeline = new ExportPipeline({ exporter, scheduledDelayMs: 10, maxBatchTraces: 1 });
    void pipeline.enqueueTrace(fakeTrace({ id: 'a' }));
    void pipeline.enqueueTrace(fakeTrace({ id: 'b' }));
    await tick();
    expect(exporter.batches).toHaveLength(0);
    expect(pipeline.stats().queueDepth.traces).toBe(2);
  });

  it('a trace awaited by its request is sent alone, from that request, at once', async () => {
    const exporter = heldExporter();
    const pipeline = new ExportPipeline({ exporter, scheduledDelayMs: 60_000 });
    // Two requests end their traces back to back; each hands its own promise to waitUntil.
    const first = pipeline.enqueueTrace(fakeTrace({ id: 'first' }));
    const second = pipeline.enqueueTrace(fakeTrace({ id: 'second' }));
    expect(first).not.toBe(second);
    let firstDone = false;
    void first.then(() => {
      firstDone = true;
    });
    await tick();
    expect(exporter.batches.map(ids)).toEqual([['first']]);
    expect(firstDone).toBe(false);
    void second.then(() => undefined);
    await tick();
    expect(exporter.batches.map(ids)).toEqual([['first'], ['second']]);
    exporter.releaseAll();
    await Promise.all([first, second]);
    expect(pipeline.stats().tracesExported).toBe(2);
    expect(pipeline.stats().queueDepth.traces).toBe(0);
  });

  it('flush() sends what is queued from its caller and waits only for its own sends', async () => {
    const exporter = heldExporter();
    const pipeline = new ExportPipeline({ exporter, scheduledDelayMs: 60_000 });
    // Another request is sending its trace and has not heard back.
    const other = pipeline.enqueueTrace(fakeTrace({ id: 'other' }));
    void other.then(() => undefined);
    await tick();
    void pipeline.enqueueTrace(fakeTrace({ id: 'x' }));
    void pipeline.enqueueTrace(fakeTrace({ id: 'y' }));
    pipeline.enqueueLog(fakeLog('standalone'));
    let flushed = false;
    const flushing = pipeline.flush(5_000).then(() => {
      flushed = true;
    });
    await tick();
    expect(exporter.batches.map(ids)).toEqual([['other'], ['x', 'y']]);
    expect(exporter.batches[1]?.logs).toHaveLength(1);
    expect(flushed).toBe(false);
    exporter.releaseAll();
    await flushing;
    expect(flushed).toBe(true);
    await other;
    expect(pipeline.stats().tracesExported).toBe(3);
  });

  it('a flush is bounded by its timeout when the collector never answers', async () => {
    const exporter = heldExporter();
    const pipeline = new ExportPipeline({ exporter, exportTimeoutMs: 60_000 });
    void pipeline.enqueueTrace(fakeTrace({ id: 'stuck' }));
    const started = Date.now();
    await pipeline.flush(100);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(exporter.batches).toHaveLength(1);
    exporter.releaseAll();
  });

  it('a failing collector is retried within the request that sent the trace', async () => {
    let calls = 0;
    const exporter: Exporter = {
      name: 'flaky',
      async export(): Promise<ExportResult> {
        calls++;
        return calls === 1 ? { ok: false, retryable: true, error: new Error('503') } : { ok: true };
      },
    };
    const pipeline = new ExportPipeline({
      exporter,
      retryInitialDelayMs: 5,
      retryMaxDelayMs: 5,
      onError: () => undefined,
    });
    await pipeline.enqueueTrace(fakeTrace({ id: 'retried' }));
    expect(calls).toBe(2);
    expect(pipeline.stats().tracesExported).toBe(1);
    expect(pipeline.stats().retries).toBe(1);
  });
});
