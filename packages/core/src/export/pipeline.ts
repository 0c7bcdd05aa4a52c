import { runUntraced } from '../context/storage';
import type { Exporter, LogData } from '../types';
import { describeError } from './export-error';
import type { ExportStats } from './export-stats';
import { Dispatcher, settleGroup } from './internal/dispatcher';
import { ExportQueue, type Flight, type Group } from './internal/export-queue';
import { reportProblem } from './internal/report-problem';
import { isRequestScopedRuntime } from './internal/request-scoped';
import { clampDelay, untracedImmediate, untracedTimeout } from './internal/timers';
import {
  type ExportPipelineOptions,
  type ExportProblem,
  normaliseWait,
  type PipelineSettings,
  type QueuedTrace,
  resolveSettings,
} from './pipeline-options';

export type { DropReason, ExportStats } from './export-stats';
export {
  DEFAULT_FLUSH_TIMEOUT_MS,
  type ExportPipelineOptions,
  type ExportProblem,
  type QueuedTrace,
} from './pipeline-options';

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Queues finished traces and standalone logs and sends them through one
 * exporter in batches: a bounded queue (`internal/export-queue.ts`), up to
 * `maxConcurrentExports` requests in flight (`internal/dispatcher.ts`),
 * retries with backoff that slow the whole pipeline down while the collector
 * fails (`internal/send-batch.ts`), settings in `pipeline-options.ts`.
 * Nothing it does can throw into, or slow down, the caller: problems go to
 * `onError` and into `stats()`. Constructing one does no I/O and starts no timer.
 *
 * @example
 * const pipeline = new ExportPipeline({ exporter: httpExporter({ url }) });
 * await pipeline.enqueueTrace(trace); // awaited: sent at once, delivered or given up
 * await pipeline.shutdown(5000);
 */
export class ExportPipeline {
  private readonly exporter: Exporter;
  private readonly settings: PipelineSettings;
  private readonly onError: ((problem: ExportProblem) => void) | undefined;
  private readonly queue: ExportQueue;
  private readonly dispatcher: Dispatcher;
  private pumpScheduled = false;
  /** workerd: each request sends what it awaits itself (see `sendScoped`). */
  private readonly scoped = isRequestScopedRuntime();
  private delayTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  private overflowTraces = 0;
  private overflowLogs = 0;

  constructor(options: ExportPipelineOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('ExportPipeline: pass an options object such as { exporter }.');
    }
    const { exporter, onError } = options;
    if (
      exporter === null ||
      typeof exporter !== 'object' ||
      typeof (exporter as Partial<Exporter>).export !== 'function'
    ) {
      throw new TypeError(
        'ExportPipeline: `exporter` must be an object with an export(batch, signal) method, such as httpExporter({ url }) or memoryExporter().',
      );
    }
    if (onError !== undefined && typeof onError !== 'function') {
      throw new TypeError(
        'ExportPipeline: `onError` must be a function (problem) => void, or left out.',
      );
    }
    this.exporter = exporter;
    this.onError = onError;
    this.settings = resolveSettings(options);
    this.queue = new ExportQueue((group) => this.awaited(group), this.scoped);
    this.dispatcher = new Dispatcher(
      exporter,
      this.settings,
      this.queue,
      (problem) => this.report(problem),
      this.scoped,
    );
  }

  /**
   * Queues a finished trace. The promise resolves once the trace is delivered
   * or finally dropped, and never rejects. Awaiting it (or `urgent`) sends its
   * batch at once instead of after the scheduled delay; while it is awaited
   * the process stays alive, for at most `flushTimeoutMs`, after which it
   * resolves anyway and the trace stays queued.
   */
  enqueueTrace(trace: QueuedTrace, options?: { urgent?: boolean }): Promise<void> {
    try {
      if (this.closed) {
        this.dispatcher.counters.tracesDropped.shutdown++;
        return RESOLVED;
      }
      const raw = trace.estimatedBytes;
      // Whole bytes, so the running sum never drifts with float rounding.
      const bytes = typeof raw === 'number' && raw > 0 ? Math.ceil(raw) : 0;
      const s = this.settings;
      const group = this.queue.addTrace(trace, bytes, s.maxQueueTraces, s.maxQueueBytes);
      if (group === undefined) {
        this.dispatcher.counters.tracesDropped['queue-full']++;
        this.overflowTraces++;
        this.scheduleOverflowReport();
        return RESOLVED;
      }
      if (group.count >= s.maxBatchTraces || options?.urgent === true) {
        group.sealed = true;
        this.schedulePump();
      } else {
        this.armDelayTimer();
      }
      return group.delivery;
    } catch {
      return RESOLVED;
    }
  }

  /** Queues a standalone log (one emitted outside any trace). Never throws. */
  enqueueLog(log: LogData): void {
    try {
      if (this.closed) {
        this.dispatcher.counters.logsDropped.shutdown++;
        return;
      }
      const s = this.settings;
      if (!this.queue.addLog(log, s.maxQueueLogs, s.maxQueueBytes)) {
        this.dispatcher.counters.logsDropped['queue-full']++;
        this.overflowLogs++;
        this.scheduleOverflowReport();
        return;
      }
      if (this.queue.logsWaiting >= s.maxBatchLogs) {
        this.queue.markLogsDue();
        this.schedulePump();
      } else {
        this.armDelayTimer();
      }
    } catch {
      // Never let a log call fail the app.
    }
  }

  /**
   * Sends everything queued at the time of the call, including a batch being
   * retried, and resolves when all of it is settled or `timeoutMs` (default
   * 30 s) has passed; the process stays alive meanwhile. Sending starts within
   * the call, so the promise can be handed to an edge runtime's `waitUntil()`.
   * Never rejects; what is still queued stays queued.
   */
  flush(timeoutMs?: number): Promise<void> {
    try {
      return this.waitForQueued(normaliseWait(timeoutMs));
    } catch {
      return RESOLVED;
    }
  }

  /**
   * Flushes (accepting traces that end meanwhile), then stops: what is still
   * queued at the deadline (default 30 s) is dropped with reason `shutdown`, a
   * request still in flight is cancelled and counted as unconfirmed, later
   * enqueues are dropped at once, and the exporter's own `shutdown()` runs.
   * Idempotent; never rejects.
   */
  shutdown(timeoutMs?: number): Promise<void> {
    if (this.shutdownPromise === undefined) {
      const wait = normaliseWait(timeoutMs);
      this.shutdownPromise = runUntraced(() => this.runShutdown(wait)).catch(() => undefined);
    }
    return this.shutdownPromise;
  }

  stats(): ExportStats {
    const c = this.dispatcher.counters;
    const q = this.queue;
    return {
      ...c,
      tracesDropped: { ...c.tracesDropped },
      logsDropped: { ...c.logsDropped },
      queueDepth: { traces: q.heldTraces, logs: q.heldLogs, bytes: q.heldBytes },
    };
  }

  /** Someone awaits `group`: send it now, and keep the process alive until it settles or the bound passes. */
  private awaited(group: Group): void {
    if (group.settled || group.keepAlive !== undefined) return;
    group.sealed = true;
    if (this.scoped) {
      // The trace's own request sends it and waits for it (its `waitUntil`).
      const flight = this.queue.takeGroup(group, this.settings.maxBatchLogs);
      if (flight !== undefined) void this.sendScoped([flight], this.settings.flushTimeoutMs);
      return;
    }
    this.schedulePump();
    // Ref'd on purpose: the one handle that keeps a script alive, and only while awaited.
    group.keepAlive = untracedTimeout(group.resolve, this.settings.flushTimeoutMs, false);
  }

  private armDelayTimer(): void {
    if (this.delayTimer !== undefined || this.scoped) return;
    this.delayTimer = untracedTimeout(
      () => {
        this.delayTimer = undefined;
        this.queue.markAllDue();
        this.schedulePump();
      },
      this.settings.scheduledDelayMs,
      true,
    );
  }

  private markAllDue(): void {
    this.queue.markAllDue();
    if (this.delayTimer !== undefined) {
      clearTimeout(this.delayTimer);
      this.delayTimer = undefined;
    }
  }

  /**
   * Sending starts on a later turn of the event loop, never inside `enqueue`:
   * serialisation and the exporter's work stay off the caller's request path.
   */
  private schedulePump(): void {
    if (this.pumpScheduled || this.scoped) return;
    this.pumpScheduled = true;
    untracedImmediate(() => {
      this.pumpScheduled = false;
      this.dispatcher.pump();
    });
  }

  private waitForQueued(timeoutMs: number): Promise<void> {
    if (this.scoped) return this.flushScoped(timeoutMs);
    const groupSeq = this.queue.nextSeq - 1;
    const logCount = this.queue.logsAccepted;
    const { dispatcher } = this;
    if (dispatcher.settledUpTo(groupSeq, logCount)) return RESOLVED;
    this.markAllDue();
    // Sending starts now, not on a timer: an edge runtime may never run one.
    runUntraced(() => dispatcher.pump());
    return dispatcher.waiters.wait(groupSeq, logCount, timeoutMs);
  }

  /**
   * workerd cancels a request's I/O once the request (with its `waitUntil()`)
   * is over, and refuses to settle a promise of one request from another. So
   * there every trace is a group of its own, created by the request that ends
   * it; awaiting it sends it at once from that request, and `flush()` sends
   * what is queued from the request that calls it. Each waits for its own
   * sends only, never for one another request started: no promise crosses
   * requests, no send outlives the request that began it, and no timer is left.
   */
  private flushScoped(timeoutMs: number): Promise<void> {
    try {
      this.queue.markAllDue();
      const flights: Flight[] = [];
      for (;;) {
        const s = this.settings;
        const flight = this.queue.take(1, s.maxBatchBytes, s.maxBatchLogs);
        if (flight === undefined) break;
        flights.push(flight);
      }
      return this.sendScoped(flights, timeoutMs);
    } catch {
      return RESOLVED;
    }
  }

  /** Sends `flights` from the calling request; resolves when all settle or at `timeoutMs`. */
  private sendScoped(flights: Flight[], timeoutMs: number): Promise<void> {
    if (flights.length === 0) return RESOLVED;
    const { dispatcher } = this;
    const sends = runUntraced(() => flights.map((flight) => dispatcher.launch(flight)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, clampDelay(timeoutMs));
    });
    return Promise.race([Promise.all(sends), deadline]).then(() => clearTimeout(timer));
  }

  private async runShutdown(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    const held = () => this.queue.heldTraces > 0 || this.queue.heldLogs > 0;
    if (this.scoped) {
      // What other requests have in flight is theirs to wait for.
      await this.flushScoped(remaining());
    } else {
      // Traces that end while we drain (requests still finishing) are accepted
      // too: each pass seals whatever arrived during the previous one.
      while (held() && remaining() > 0) await this.waitForQueued(remaining());
    }
    this.closed = true;
    this.markAllDue();
    if (held()) this.abandon(timeoutMs);
    if (!this.scoped) await this.dispatcher.whenIdle();
    await this.shutdownExporter(remaining());
  }

  /**
   * Gives up at the shutdown deadline: what never left the queue is dropped;
   * requests in flight are cancelled and settle themselves (unconfirmed when
   * the collector had the batch without answering yet, dropped when it was
   * waiting out a backoff).
   */
  private abandon(timeoutMs: number): void {
    const { dispatcher } = this;
    const inFlight = dispatcher.inFlight();
    dispatcher.cancel();
    const { groups, logs } = this.queue.drain();
    let traces = 0;
    for (const group of groups) {
      traces += group.count;
      settleGroup(group);
    }
    dispatcher.counters.tracesDropped.shutdown += traces;
    dispatcher.counters.logsDropped.shutdown += logs;
    dispatcher.waiters.wake();
    const cancelled =
      inFlight.traces + inFlight.logs > 0
        ? `; ${inFlight.traces} trace(s) and ${inFlight.logs} log(s) in flight were cancelled (see stats: unconfirmed if the collector had them, else dropped)`
        : '';
    this.report({
      kind: 'timeout',
      message: `shutdown deadline of ${timeoutMs} ms passed: ${traces} queued trace(s) and ${logs} log(s) were never sent and are dropped${cancelled}`,
      dropped: traces + logs,
    });
  }

  private async shutdownExporter(timeoutMs: number): Promise<void> {
    if (typeof this.exporter.shutdown !== 'function') return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const done = Promise.resolve(this.exporter.shutdown());
      done.catch(() => undefined);
      await Promise.race([
        done,
        new Promise<void>((resolve) => {
          timer = untracedTimeout(resolve, timeoutMs, false);
        }),
      ]);
    } catch (error) {
      this.report({
        kind: 'exporter-threw',
        message: `${this.exporter.name} exporter's shutdown() failed: ${describeError(error)}`,
        error,
      });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /**
   * Queue-full drops are reported once per turn of the event loop with a count,
   * not once per trace, and never from inside the caller's `enqueue`.
   */
  private scheduleOverflowReport(): void {
    if (this.overflowTraces + this.overflowLogs !== 1) return;
    untracedImmediate(() => {
      const traces = this.overflowTraces;
      const logs = this.overflowLogs;
      this.overflowTraces = 0;
      this.overflowLogs = 0;
      const s = this.settings;
      this.report({
        kind: 'queue-full',
        message: `export queue full (maxQueueTraces ${s.maxQueueTraces}, maxQueueBytes ${s.maxQueueBytes}, maxQueueLogs ${s.maxQueueLogs}): dropped ${traces} new trace(s) and ${logs} log(s); the collector is slow or down, or the limits are too low`,
        dropped: traces + logs,
      });
    });
  }

  private report(problem: ExportProblem): void {
    reportProblem(this.onError, problem);
  }
}
