/**
 * Why a trace or log was not delivered.
 *
 * - `queue-full`: the queue already held `maxQueueTraces`, `maxQueueBytes` or
 *   `maxQueueLogs` when it ended; the new item was refused (the collector is
 *   slow or down, or the bounds are too low).
 * - `rejected`: the collector (or exporter) refused the batch with a
 *   non-retryable answer, such as HTTP 400, 401 or 413.
 * - `retries-exhausted`: every attempt (`maxRetries` + 1) failed with a
 *   retryable error (network, timeout, 408, 429, 5xx).
 * - `shutdown`: still queued, never sent, when `shutdown()` reached its
 *   deadline, or ended after the shutdown.
 * - `serialize-failed`: its `toJSON()` threw, or the exporter could not encode it.
 */
export type DropReason =
  | 'queue-full'
  | 'rejected'
  | 'retries-exhausted'
  | 'shutdown'
  | 'serialize-failed';

/** Counters since the pipeline (or tracer) was created. */
export interface ExportStats {
  tracesExported: number;
  spansExported: number;
  /** Standalone logs (logs inside a trace travel, and are counted, with it). */
  logsExported: number;
  tracesDropped: Record<DropReason, number>;
  logsDropped: Record<DropReason, number>;
  /**
   * Sent, but cancelled at the shutdown deadline before the collector answered:
   * it may or may not have stored them, so they are counted neither as
   * exported nor as dropped.
   */
  tracesUnconfirmed: number;
  logsUnconfirmed: number;
  /** Delivery attempts that were retried. */
  retries: number;
  /** Batches given up: rejected, out of retries, or cancelled at the shutdown deadline. */
  failedBatches: number;
  /** What the pipeline holds right now, waiting or in flight. */
  queueDepth: { traces: number; logs: number; bytes: number };
}

export function zeroDrops(): Record<DropReason, number> {
  return {
    'queue-full': 0,
    rejected: 0,
    'retries-exhausted': 0,
    shutdown: 0,
    'serialize-failed': 0,
  };
}

/** All counters at zero. */
export function emptyExportStats(): ExportStats {
  return {
    tracesExported: 0,
    spansExported: 0,
    logsExported: 0,
    tracesDropped: zeroDrops(),
    logsDropped: zeroDrops(),
    tracesUnconfirmed: 0,
    logsUnconfirmed: 0,
    retries: 0,
    failedBatches: 0,
    queueDepth: { traces: 0, logs: 0, bytes: 0 },
  };
}

/** Adds `from` into `into` (a tracer sums the stats of its pipelines). */
export function addExportStats(into: ExportStats, from: ExportStats): void {
  into.tracesExported += from.tracesExported;
  into.spansExported += from.spansExported;
  into.logsExported += from.logsExported;
  into.tracesUnconfirmed += from.tracesUnconfirmed;
  into.logsUnconfirmed += from.logsUnconfirmed;
  into.retries += from.retries;
  into.failedBatches += from.failedBatches;
  for (const key of Object.keys(from.tracesDropped) as DropReason[]) {
    into.tracesDropped[key] += from.tracesDropped[key];
    into.logsDropped[key] += from.logsDropped[key];
  }
  into.queueDepth.traces += from.queueDepth.traces;
  into.queueDepth.logs += from.queueDepth.logs;
  into.queueDepth.bytes += from.queueDepth.bytes;
}
