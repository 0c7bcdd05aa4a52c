import type { Exporter, TraceData } from '../types';
import { clampDelay } from './internal/timers';

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
  /**
   * Bytes held at most, as the estimated serialised size of each trace and
   * standalone log; a batch in flight counts twice (its traces and their
   * encoded copy). Default 64 MiB.
   */
  maxQueueBytes?: number;
  /** Standalone logs held at most. Default 8192. */
  maxQueueLogs?: number;
  /** Traces that fill a batch: a full batch is sent at once. Default 128. */
  maxBatchTraces?: number;
  /**
   * When full batches wait for a free request (a backlog), they are merged
   * into one request up to this many estimated bytes. Default 4 MiB.
   */
  maxBatchBytes?: number;
  /** Standalone logs per batch. Default 1024. */
  maxBatchLogs?: number;
  /**
   * Requests in flight at once while the collector answers. Back to one while it
   * fails, until a retry succeeds. Default 4; 1 for an exporter that must not be
   * called concurrently.
   */
  maxConcurrentExports?: number;
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
  /**
   * How long an awaited `trace.end()`, `tracer.record()` or `tracer.trace()`
   * waits for delivery (and keeps the process alive) before it resolves
   * anyway; the trace stays queued. Default 5000.
   */
  flushTimeoutMs?: number;
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
  maxBatchBytes: 4 * 1024 * 1024,
  maxBatchLogs: 1024,
  maxConcurrentExports: 4,
  scheduledDelayMs: 1000,
  exportTimeoutMs: 10_000,
  maxRetries: 5,
  retryInitialDelayMs: 500,
  retryMaxDelayMs: 30_000,
  flushTimeoutMs: 5000,
};

/** The pipeline's settings, every default filled in. */
export type PipelineSettings = typeof DEFAULTS;

/** A `flush()`/`shutdown()` timeout as a timer delay; absent or NaN is the default. */
export function normaliseWait(timeoutMs: number | undefined): number {
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) return DEFAULT_FLUSH_TIMEOUT_MS;
  return clampDelay(timeoutMs);
}

/** Validates the numeric options: a mistake fails at construction, saying how to fix it. */
export function resolveSettings(options: ExportPipelineOptions): PipelineSettings {
  const settings: PipelineSettings = { ...DEFAULTS };
  const integer = (key: keyof PipelineSettings, min: number) => {
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
  integer('maxBatchBytes', 1);
  integer('maxBatchLogs', 1);
  integer('maxConcurrentExports', 1);
  integer('scheduledDelayMs', 0);
  integer('exportTimeoutMs', 1);
  integer('maxRetries', 0);
  integer('retryInitialDelayMs', 0);
  integer('retryMaxDelayMs', 0);
  integer('flushTimeoutMs', 0);
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

/** A finished trace waiting for export. `toJSON()` is called once, when its batch is built. */
export interface QueuedTrace {
  readonly id: string;
  readonly spanCount: number;
  /** Its serialised size, estimated from what it holds; bounds the queue by bytes. */
  readonly estimatedBytes: number;
  toJSON(): TraceData;
}
