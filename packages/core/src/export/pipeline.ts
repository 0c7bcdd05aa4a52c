import { runUntraced } from '../context/storage';
import type { ExportBatch, Exporter, ExportResult, LogData, TraceData } from '../types';
import { describeError, ExportError, errorKind } from './export-error';
import { reportProblem } from './internal/report-problem';
import { clampDelay, sleep, untracedImmediate, untracedTimeout } from './internal/timers';

/** A finished trace waiting for export. `toJSON()` is called once, when its batch is built. */
export interface QueuedTrace {
  readonly id: string;
  readonly spanCount: number;
  /** Rough in-memory size, used to bound the queue by bytes. */
  readonly estimatedBytes: number;
  toJSON(): TraceData;
}

/** Why a trace or log was not delivered. */
export type DropReason =
  | 'queue-full'
  | 'rejected'
  | 'retries-exhausted'
  | 'shutdown'
  | 'serialize-failed';

/** Counters since the pipeline was created. */
export interface ExportStats {
  tracesExported: number;
  spansExported: number;
  /** Standalone logs (logs inside a trace travel, and are counted, with it). */
  logsExported: number;
  tracesDropped: Record<DropReason, number>;
  logsDropped: Record<DropReason, number>;
  /** Delivery attempts that were retried. */
  retries: number;
  /** Batches given up: rejected, out of retries, or still in flight at the shutdown deadline. */
  failedBatches: number;
  /** What the pipeline holds right now, waiting or in flight. */
  queueDepth: { traces: number; logs: number; bytes: number };
}

/** Something went wrong while exporting; handed to `onError` (never thrown). */
export interface ExportProblem {
  kind:
    | 'network'
    | 'timeout'
    | 'http-status'
    | 'rejected'
    | 'queue-full'
    | 'exporter-threw'
    | 'auth'
    | 'serialize';
  message: string;
  error?: unknown;
  /** How many traces plus standalone logs this problem cost, when it cost any. */
  dropped?: number;
}

export interface ExportPipelineOptions {
  exporter: Exporter;
  /** Traces held at most (waiting or in flight). Default 2048. */
  maxQueueTraces?: number;
  /** Sum of `estimatedBytes` held at most. Default 64 MiB. */
  maxQueueBytes?: number;
  /** Standalone logs held at most. Default 8192. */
  maxQueueLogs?: number;
  /** Traces per batch; a full batch is sent at once. Default 128. */
  maxBatchTraces?: number;
  /** Standalone logs per batch. Default 1024. */
  maxBatchLogs?: number;
  /** The longest a queued item waits before its batch is sent. Default 1000. */
  scheduledDelayMs?: number;
  /** Bound on each delivery attempt. Default 10000. */
  exportTimeoutMs?: number;
  /** Retries after the first attempt of a batch. Default 5. */
  maxRetries?: number;
  /** Backoff before the first retry (full jitter, doubling). Default 500. */
  retryInitialDelayMs?: number;
  /** Cap on any backoff, including a collector's `Retry-After`. Default 30000. */
  retryMaxDelayMs?: number;
  /** Receives every problem. Without it, each problem kind is warned once per process. */
  onError?: (problem: ExportProblem) => void;
}

/** What `flush()` and `shutdown()` wait at most when given no timeout. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 30_000;

const DEFAULTS = {
  maxQueueTraces: 2048,
  maxQueueBytes: 64 * 1024 * 1024,
  maxQueueLogs: 8192,
  maxBatchTraces: 128,
  maxBatchLogs: 1024,
  scheduledDelayMs: 1000,
  exportTimeoutMs: 10_000,
  maxRetries: 5,
  retryInitialDelayMs: 500,
  retryMaxDelayMs: 30_000,
};

type Settings = typeof DEFAULTS;

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Traces that will travel in the same batch. They share one promise, so a
 * trace costs no allocation of its own while it waits.
 */
interface Group {
  readonly seq: number;
  traces: QueuedTrace[];
  count: number;
  bytes: number;
  /** No more traces join; the group goes out as the next trace batch. */
  sealed: boolean;
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

interface Flight {
  readonly group: Group | undefined;
  readonly batch: ExportBatch;
  readonly spanCount: number;
}

type Outcome = { delivered: true } | { delivered: false; reason: DropReason };

interface FlushWaiter {
  readonly groupSeq: number;
  readonly logCount: number;
  readonly done: () => void;
}

function zeroDrops(): Record<DropReason, number> {
  return {
    'queue-full': 0,
    rejected: 0,
    'retries-exhausted': 0,
    shutdown: 0,
    'serialize-failed': 0,
  };
}

function normaliseWait(timeoutMs: number | undefined): number {
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) return DEFAULT_FLUSH_TIMEOUT_MS;
  return clampDelay(timeoutMs);
}

/**
 * Queues finished traces and standalone logs and sends them through one
 * exporter in batches, with a bounded queue, retries with backoff, and
 * per-attempt timeouts. Nothing it does can throw into, or slow down, the
 * caller: problems go to `onError` and into `stats()`.
 *
 * @example
 * const pipeline = new ExportPipeline({ exporter: httpExporter({ url }) });
 * await pipeline.enqueueTrace(trace, { urgent: true }); // delivered or given up
 * await pipeline.shutdown(5000);
 */
export class ExportPipeline {
  private readonly exporter: Exporter;
  private readonly settings: Settings;
  private readonly onError: ((problem: ExportProblem) => void) | undefined;

  private readonly groups: Group[] = [];
  private readonly logs: LogData[] = [];
  /** How many logs at the front of `logs` should go out now. */
  private logsDue = 0;
  private nextGroupSeq = 1;
  /** Groups settle in order, so every group up to this seq is settled. */
  private settledGroupSeq = 0;
  private logsAccepted = 0;
  private logsSettled = 0;

  private heldTraces = 0;
  private heldBytes = 0;
  private heldLogs = 0;

  private pumping = false;
  private pumpScheduled = false;
  private idle: Promise<void> = RESOLVED;
  private delayTimer: NodeJS.Timeout | undefined;
  private readonly waiters: FlushWaiter[] = [];

  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  /** Aborted at the shutdown deadline: cancels the attempt in flight and any backoff. */
  private readonly stop = new AbortController();

  private overflowTraces = 0;
  private overflowLogs = 0;

  private tracesExported = 0;
  private spansExported = 0;
  private logsExported = 0;
  private readonly tracesDropped = zeroDrops();
  private readonly logsDropped = zeroDrops();
  private retries = 0;
  private failedBatches = 0;

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
  }

  /**
   * Queues a finished trace. The promise resolves once the trace is delivered or
   * finally dropped, and never rejects. `urgent` sends its batch right away
   * instead of waiting for the scheduled delay.
   */
  enqueueTrace(trace: QueuedTrace, options?: { urgent?: boolean }): Promise<void> {
    try {
      if (this.closed) {
        this.tracesDropped.shutdown++;
        return RESOLVED;
      }
      const raw = trace.estimatedBytes;
      // Whole bytes, so the running sum never drifts with float rounding.
      const bytes = typeof raw === 'number' && raw > 0 ? Math.ceil(raw) : 0;
      const s = this.settings;
      if (this.heldTraces >= s.maxQueueTraces || this.heldBytes + bytes > s.maxQueueBytes) {
        this.tracesDropped['queue-full']++;
        this.overflowTraces++;
        this.scheduleOverflowReport();
        return RESOLVED;
      }
      let group = this.groups[this.groups.length - 1];
      if (group === undefined || group.sealed) group = this.newGroup();
      group.traces.push(trace);
      group.count++;
      group.bytes += bytes;
      this.heldTraces++;
      this.heldBytes += bytes;
      if (group.count >= s.maxBatchTraces || options?.urgent === true) {
        group.sealed = true;
        this.schedulePump();
      } else {
        this.armDelayTimer();
      }
      return group.promise;
    } catch {
      return RESOLVED;
    }
  }

  /** Queues a standalone log (one emitted outside any trace). Never throws. */
  enqueueLog(log: LogData): void {
    try {
      if (this.closed) {
        this.logsDropped.shutdown++;
        return;
      }
      if (this.heldLogs >= this.settings.maxQueueLogs) {
        this.logsDropped['queue-full']++;
        this.overflowLogs++;
        this.scheduleOverflowReport();
        return;
      }
      this.logs.push(log);
      this.heldLogs++;
      this.logsAccepted++;
      if (this.logs.length - this.logsDue >= this.settings.maxBatchLogs) {
        this.logsDue = this.logs.length;
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
   * 30 s) has passed. Never rejects; what is still queued stays queued.
   */
  flush(timeoutMs?: number): Promise<void> {
    try {
      return this.waitForQueued(normaliseWait(timeoutMs));
    } catch {
      return RESOLVED;
    }
  }

  /**
   * Flushes (accepting traces that end meanwhile), then stops: what is left at
   * the deadline (default 30 s) is dropped with reason `shutdown`, later
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
    return {
      tracesExported: this.tracesExported,
      spansExported: this.spansExported,
      logsExported: this.logsExported,
      tracesDropped: { ...this.tracesDropped },
      logsDropped: { ...this.logsDropped },
      retries: this.retries,
      failedBatches: this.failedBatches,
      queueDepth: { traces: this.heldTraces, logs: this.heldLogs, bytes: this.heldBytes },
    };
  }

  private newGroup(): Group {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    const group: Group = {
      seq: this.nextGroupSeq++,
      traces: [],
      count: 0,
      bytes: 0,
      sealed: false,
      promise,
      resolve,
    };
    this.groups.push(group);
    return group;
  }

  private armDelayTimer(): void {
    if (this.delayTimer !== undefined) return;
    this.delayTimer = untracedTimeout(
      () => {
        this.delayTimer = undefined;
        this.markAllDue();
        this.schedulePump();
      },
      this.settings.scheduledDelayMs,
      true,
    );
  }

  private markAllDue(): void {
    const tail = this.groups[this.groups.length - 1];
    if (tail !== undefined) tail.sealed = true;
    this.logsDue = this.logs.length;
    if (this.delayTimer !== undefined) {
      clearTimeout(this.delayTimer);
      this.delayTimer = undefined;
    }
  }

  /**
   * Sending starts on a later turn of the event loop, never inside `enqueue`:
   * serialisation and the exporter's work stay off the caller's request path.
   * The one-shot immediate is left ref'd so an awaited urgent trace is sent
   * even when nothing else keeps the process alive.
   */
  private schedulePump(): void {
    if (this.pumping || this.pumpScheduled) return;
    this.pumpScheduled = true;
    untracedImmediate(() => {
      this.pumpScheduled = false;
      this.startPump();
    });
  }

  private startPump(): void {
    if (this.pumping) return;
    this.pumping = true;
    this.idle = this.pump();
  }

  /**
   * Sends batches one at a time until nothing is due. `pumping` is cleared in
   * the same synchronous step that finds the queue empty, so an enqueue can
   * never land in the gap between "nothing to send" and "not pumping".
   */
  private async pump(): Promise<void> {
    for (;;) {
      let flight: Flight | undefined;
      try {
        flight = this.takeBatch();
      } catch {
        flight = undefined;
      }
      if (flight === undefined) {
        this.pumping = false;
        return;
      }
      let outcome: Outcome;
      try {
        outcome = await this.deliver(flight);
      } catch {
        outcome = { delivered: false, reason: 'rejected' };
      }
      this.settle(flight, outcome);
    }
  }

  private takeBatch(): Flight | undefined {
    const head = this.groups[0];
    const group = head?.sealed === true ? this.groups.shift() : undefined;
    const logCount = Math.min(this.logsDue, this.settings.maxBatchLogs);
    if (group === undefined && logCount === 0) return undefined;
    const logs = logCount > 0 ? this.logs.splice(0, logCount) : [];
    this.logsDue -= logCount;

    const traces: TraceData[] = [];
    let spanCount = 0;
    if (group !== undefined) {
      let failed = 0;
      let firstError: unknown;
      let firstId = '';
      for (const trace of group.traces) {
        try {
          traces.push(trace.toJSON());
          spanCount += Math.max(trace.spanCount || 0, 0);
        } catch (error) {
          if (failed === 0) {
            firstError = error;
            firstId = safeId(trace);
          }
          failed++;
        }
      }
      // The serialised copies are all that is needed from here on; let the
      // live trace objects go while the batch waits out retries.
      group.traces = [];
      if (failed > 0) {
        this.tracesDropped['serialize-failed'] += failed;
        this.report({
          kind: 'serialize',
          message: `trace ${firstId}.toJSON() threw (${describeError(firstError)}); ${failed} trace(s) dropped`,
          error: firstError,
          dropped: failed,
        });
      }
    }
    return { group, batch: { traces, logs }, spanCount };
  }

  private async deliver(flight: Flight): Promise<Outcome> {
    const { batch } = flight;
    if (batch.traces.length === 0 && batch.logs.length === 0) return { delivered: true };
    const s = this.settings;
    const what = describeBatch(batch);
    for (let attempt = 0; ; attempt++) {
      if (this.stop.signal.aborted) return { delivered: false, reason: 'shutdown' };
      const result = await this.attempt(batch);
      if (result.ok) return { delivered: true };
      if (this.stop.signal.aborted) return { delivered: false, reason: 'shutdown' };

      const { error } = result;
      const reason = describeError(error);
      const tagged = errorKind(error);
      const dropped = batch.traces.length + batch.logs.length;
      if (!result.retryable) {
        const kind = tagged === 'serialize' || tagged === 'auth' ? tagged : 'rejected';
        this.report({
          kind,
          message: `${this.exporter.name} exporter could not deliver ${what}: ${reason}; dropped without retrying`,
          error,
          dropped,
        });
        return { delivered: false, reason: kind === 'serialize' ? 'serialize-failed' : 'rejected' };
      }
      const kind = tagged ?? 'network';
      if (attempt >= s.maxRetries) {
        this.report({
          kind,
          message: `${this.exporter.name} exporter failed to deliver ${what} after ${attempt + 1} attempt(s): ${reason}; dropped`,
          error,
          dropped,
        });
        return { delivered: false, reason: 'retries-exhausted' };
      }
      const delay = this.backoff(attempt, result.retryAfterMs);
      this.report({
        kind,
        message: `${this.exporter.name} exporter failed to deliver ${what}: ${reason}; retry ${attempt + 1} of ${s.maxRetries} in ${delay} ms`,
        error,
      });
      this.retries++;
      await sleep(delay, this.stop.signal);
    }
  }

  /** Full jitter (a random delay up to the doubling cap), unless the collector said when. */
  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    const { retryInitialDelayMs, retryMaxDelayMs } = this.settings;
    if (typeof retryAfterMs === 'number' && retryAfterMs >= 0) {
      return Math.min(retryAfterMs, retryMaxDelayMs);
    }
    const ceiling = Math.min(retryMaxDelayMs, retryInitialDelayMs * 2 ** attempt);
    return Math.floor(Math.random() * ceiling);
  }

  /**
   * One call to the exporter, bounded by `exportTimeoutMs` even when the
   * exporter ignores its signal; a throw or rejection becomes a retryable result.
   */
  private attempt(batch: ExportBatch): Promise<ExportResult> {
    const timeoutMs = this.settings.exportTimeoutMs;
    const name = this.exporter.name;
    return new Promise<ExportResult>((resolve) => {
      const controller = new AbortController();
      let settled = false;
      const finish = (result: ExportResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.stop.signal.removeEventListener('abort', onStop);
        resolve(result);
      };
      const onStop = () => {
        controller.abort(new Error('export pipeline shut down'));
        finish({
          ok: false,
          retryable: false,
          error: new ExportError('timeout', 'cancelled at the shutdown deadline'),
        });
      };
      const timer = untracedTimeout(
        () => {
          controller.abort(
            new DOMException(`export attempt timed out after ${timeoutMs} ms`, 'TimeoutError'),
          );
          finish({
            ok: false,
            retryable: true,
            error: new ExportError('timeout', `attempt timed out after ${timeoutMs} ms`),
          });
        },
        timeoutMs,
        true,
      );
      this.stop.signal.addEventListener('abort', onStop, { once: true });

      let pending: Promise<ExportResult> | ExportResult;
      try {
        pending = this.exporter.export(batch, controller.signal);
      } catch (error) {
        finish(thrown(name, error));
        return;
      }
      Promise.resolve(pending).then(
        (result) => finish(checkResult(name, result)),
        (error: unknown) => finish(thrown(name, error)),
      );
    });
  }

  private settle(flight: Flight, outcome: Outcome): void {
    const { group, batch, spanCount } = flight;
    const traceCount = batch.traces.length;
    const logCount = batch.logs.length;
    if (outcome.delivered) {
      this.tracesExported += traceCount;
      this.spansExported += spanCount;
      this.logsExported += logCount;
    } else {
      this.tracesDropped[outcome.reason] += traceCount;
      this.logsDropped[outcome.reason] += logCount;
      this.failedBatches++;
    }
    this.heldLogs -= logCount;
    this.logsSettled += logCount;
    if (group !== undefined) this.settleGroup(group);
    this.wakeWaiters();
  }

  private settleGroup(group: Group): void {
    this.heldTraces -= group.count;
    this.heldBytes -= group.bytes;
    // Monotonic: at the shutdown deadline the queued groups settle before the
    // (lower-numbered) batch still in flight.
    if (group.seq > this.settledGroupSeq) this.settledGroupSeq = group.seq;
    group.resolve();
  }

  private waitForQueued(timeoutMs: number): Promise<void> {
    const groupSeq = this.nextGroupSeq - 1;
    const logCount = this.logsAccepted;
    if (this.settledGroupSeq >= groupSeq && this.logsSettled >= logCount) return RESOLVED;
    this.markAllDue();
    this.schedulePump();
    return new Promise<void>((resolve) => {
      const waiters = this.waiters;
      const done = () => {
        clearTimeout(timer);
        const index = waiters.indexOf(waiter);
        if (index !== -1) waiters.splice(index, 1);
        resolve();
      };
      const waiter: FlushWaiter = { groupSeq, logCount, done };
      // Deliberately ref'd: whoever awaits a flush expects the process to stay
      // up until it is done or the deadline passes.
      const timer = untracedTimeout(done, timeoutMs, false);
      waiters.push(waiter);
    });
  }

  private wakeWaiters(): void {
    for (const waiter of this.waiters.slice()) {
      if (this.settledGroupSeq >= waiter.groupSeq && this.logsSettled >= waiter.logCount) {
        waiter.done();
      }
    }
  }

  private async runShutdown(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    // Traces that end while we drain (requests still finishing) are accepted
    // too: each pass seals whatever arrived during the previous one.
    while ((this.heldTraces > 0 || this.heldLogs > 0) && remaining() > 0) {
      await this.waitForQueued(remaining());
    }
    this.closed = true;
    this.markAllDue();
    if (this.heldTraces > 0 || this.heldLogs > 0) this.abandon(timeoutMs);
    await this.idle;
    await this.shutdownExporter(remaining());
  }

  /** Gives up on everything still held at the shutdown deadline. */
  private abandon(timeoutMs: number): void {
    const traces = this.heldTraces;
    const logs = this.heldLogs;
    this.stop.abort();
    // The batch in flight settles itself as cancelled; drop what waits behind it.
    const inFlight = this.pumping ? 1 : 0;
    const queued = this.groups.splice(0, this.groups.length);
    for (const group of queued) {
      this.tracesDropped.shutdown += group.count;
      group.traces = [];
      this.settleGroup(group);
    }
    const queuedLogs = this.logs.splice(0, this.logs.length);
    this.logsDue = 0;
    this.logsDropped.shutdown += queuedLogs.length;
    this.heldLogs -= queuedLogs.length;
    this.logsSettled += queuedLogs.length;
    this.wakeWaiters();
    this.report({
      kind: 'timeout',
      message: `shutdown deadline of ${timeoutMs} ms passed with ${traces} trace(s) and ${logs} log(s) undelivered${inFlight ? ' (one batch in flight was cancelled)' : ''}; they were dropped`,
      dropped: traces + logs,
    });
  }

  private async shutdownExporter(timeoutMs: number): Promise<void> {
    if (typeof this.exporter.shutdown !== 'function') return;
    let timer: NodeJS.Timeout | undefined;
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

function resolveSettings(options: ExportPipelineOptions): Settings {
  const settings: Settings = { ...DEFAULTS };
  const integer = (key: keyof Settings, min: number) => {
    const value = options[key];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new RangeError(
        `ExportPipeline: \`${key}\` must be an integer >= ${min} (got ${String(value)}); leave it out for the default ${DEFAULTS[key]}.`,
      );
    }
    settings[key] = value;
  };
  integer('maxQueueTraces', 1);
  integer('maxQueueBytes', 1);
  integer('maxQueueLogs', 1);
  integer('maxBatchTraces', 1);
  integer('maxBatchLogs', 1);
  integer('scheduledDelayMs', 0);
  integer('exportTimeoutMs', 1);
  integer('maxRetries', 0);
  integer('retryInitialDelayMs', 0);
  integer('retryMaxDelayMs', 0);
  if (settings.maxBatchTraces > settings.maxQueueTraces) {
    throw new RangeError(
      `ExportPipeline: \`maxBatchTraces\` (${settings.maxBatchTraces}) cannot exceed \`maxQueueTraces\` (${settings.maxQueueTraces}); a batch has to fit in the queue. Lower maxBatchTraces or raise maxQueueTraces.`,
    );
  }
  if (settings.maxBatchLogs > settings.maxQueueLogs) {
    throw new RangeError(
      `ExportPipeline: \`maxBatchLogs\` (${settings.maxBatchLogs}) cannot exceed \`maxQueueLogs\` (${settings.maxQueueLogs}); lower maxBatchLogs or raise maxQueueLogs.`,
    );
  }
  if (settings.retryMaxDelayMs < settings.retryInitialDelayMs) {
    throw new RangeError(
      `ExportPipeline: \`retryMaxDelayMs\` (${settings.retryMaxDelayMs}) is below \`retryInitialDelayMs\` (${settings.retryInitialDelayMs}); the cap must be at least the first delay.`,
    );
  }
  return settings;
}

function checkResult(name: string, result: unknown): ExportResult {
  if (result !== null && typeof result === 'object') {
    const r = result as { ok?: unknown; retryable?: unknown; error?: unknown };
    if (r.ok === true) return { ok: true };
    if (r.ok === false) {
      const error =
        r.error instanceof Error
          ? r.error
          : new Error(r.error === undefined ? 'export failed' : describeError(r.error));
      const retryAfterMs = (result as { retryAfterMs?: unknown }).retryAfterMs;
      return typeof retryAfterMs === 'number'
        ? { ok: false, retryable: r.retryable === true, retryAfterMs, error }
        : { ok: false, retryable: r.retryable === true, error };
    }
  }
  // A broken exporter would fail the same way again; do not resend.
  return {
    ok: false,
    retryable: false,
    error: new ExportError(
      'exporter-threw',
      `${name} exporter returned ${describeError(result)} instead of an ExportResult ({ ok: true } or { ok: false, retryable, error })`,
    ),
  };
}

function thrown(name: string, error: unknown): ExportResult {
  return {
    ok: false,
    retryable: true,
    error: new ExportError('exporter-threw', `${name} exporter threw: ${describeError(error)}`, {
      cause: error,
    }),
  };
}

function describeBatch(batch: ExportBatch): string {
  const parts: string[] = [];
  if (batch.traces.length > 0) parts.push(`${batch.traces.length} trace(s)`);
  if (batch.logs.length > 0) parts.push(`${batch.logs.length} log(s)`);
  return parts.join(' and ');
}

function safeId(trace: QueuedTrace): string {
  try {
    return String(trace.id);
  } catch {
    return '(unknown id)';
  }
}
