import type { ExportBatch, Exporter, ExportResult } from '../../types';
import { describeError, ExportError, errorKind } from '../export-error';
import type { DropReason } from '../export-stats';
import type { ExportProblem, PipelineSettings } from '../pipeline-options';
import type { Stopper } from './stopper';
import { sleep, untracedTimeout } from './timers';

/** How a batch's delivery ended. `unconfirmed`: cancelled while the collector had it. */
export type Outcome =
  | { delivered: true }
  | { delivered: false; reason: DropReason; unconfirmed?: boolean };

/** What sending needs from its pipeline. */
export interface SendContext {
  readonly exporter: Exporter;
  readonly settings: PipelineSettings;
  readonly gate: RetryGate;
  /** Stopped at the shutdown deadline: cancels the attempts in flight and any backoff. */
  readonly stop: Stopper;
  report(problem: ExportProblem): void;
  countRetry(): void;
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Keeps a failing collector from being hit harder because several requests
 * were in flight: after a retryable failure, attempts go one at a time and
 * none before the latest backoff (or `Retry-After`) has passed, until one
 * succeeds.
 */
export class RetryGate {
  private failingSince = 0;
  private resumeAt = 0;
  private tail: Promise<void> = RESOLVED;

  /**
   * `waitsAlone`: attempts do not queue behind each other, each only waits out
   * the latest backoff (on workerd, where the attempt ahead may belong to a
   * request that is already over, and its promise with it).
   */
  constructor(private readonly waitsAlone = false) {}

  get failing(): boolean {
    return this.failingSince !== 0;
  }

  /** Waits for this attempt's turn; call the returned function once it has its answer. */
  async enter(stop: Stopper): Promise<() => void> {
    if (!this.failing) return noop;
    if (this.waitsAlone) {
      const wait = this.resumeAt - Date.now();
      if (wait > 0) await sleep(wait, stop);
      return noop;
    }
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    const wait = this.resumeAt - Date.now();
    if (wait > 0) await sleep(wait, stop);
    return release;
  }

  succeeded(): void {
    this.failingSince = 0;
  }

  failed(delayMs: number): void {
    const at = Date.now();
    if (this.failingSince === 0) this.failingSince = at;
    this.resumeAt = Math.max(this.resumeAt, at + delayMs);
  }
}

function noop(): void {}

/**
 * Delivers one batch: attempts with a per-attempt timeout, retries retryable
 * failures with full-jitter exponential backoff (or the collector's
 * `Retry-After`), and reports every problem. Never throws.
 */
export async function sendBatch(ctx: SendContext, batch: ExportBatch): Promise<Outcome> {
  if (batch.traces.length === 0 && batch.logs.length === 0) return { delivered: true };
  const { exporter, settings, gate, stop } = ctx;
  const what = describeBatch(batch);
  for (let attempt = 0; ; attempt++) {
    if (stop.stopped) return { delivered: false, reason: 'shutdown' };
    const release = await gate.enter(stop);
    if (stop.stopped) {
      release();
      return { delivered: false, reason: 'shutdown' };
    }
    const result = await attemptOnce(exporter, batch, settings.exportTimeoutMs, stop);
    if (result.ok) {
      gate.succeeded();
      release();
      return { delivered: true };
    }
    if (stop.stopped) {
      release();
      return { delivered: false, reason: 'shutdown', unconfirmed: true };
    }

    const { error } = result;
    const reason = describeError(error);
    const tagged = errorKind(error);
    const dropped = batch.traces.length + batch.logs.length;
    if (!result.retryable) {
      release();
      const kind = tagged === 'serialize' || tagged === 'auth' ? tagged : 'rejected';
      ctx.report({
        kind,
        message: `${exporter.name} exporter could not deliver ${what}: ${reason}; dropped without retrying`,
        error,
        dropped,
      });
      return { delivered: false, reason: kind === 'serialize' ? 'serialize-failed' : 'rejected' };
    }
    const kind = tagged ?? 'network';
    if (attempt >= settings.maxRetries) {
      release();
      ctx.report({
        kind,
        message: `${exporter.name} exporter failed to deliver ${what} after ${attempt + 1} attempt(s): ${reason}; dropped`,
        error,
        dropped,
      });
      return { delivered: false, reason: 'retries-exhausted' };
    }
    const delay = backoff(settings, attempt, result.retryAfterMs);
    gate.failed(delay);
    release();
    ctx.report({
      kind,
      message: `${exporter.name} exporter failed to deliver ${what}: ${reason}; retry ${attempt + 1} of ${settings.maxRetries} in ${delay} ms`,
      error,
    });
    ctx.countRetry();
    await sleep(delay, stop);
  }
}

/** Full jitter (a random delay up to the doubling cap), unless the collector said when. */
function backoff(settings: PipelineSettings, attempt: number, retryAfterMs?: number): number {
  const { retryInitialDelayMs, retryMaxDelayMs } = settings;
  if (typeof retryAfterMs === 'number' && retryAfterMs >= 0) {
    return Math.min(retryAfterMs, retryMaxDelayMs);
  }
  const ceiling = Math.min(retryMaxDelayMs, retryInitialDelayMs * 2 ** attempt);
  return Math.floor(Math.random() * ceiling);
}

/**
 * One call to the exporter, bounded by `timeoutMs` even when the exporter
 * ignores its signal; a throw or rejection becomes a retryable result. Its
 * AbortController and timer live for this attempt only.
 */
function attemptOnce(
  exporter: Exporter,
  batch: ExportBatch,
  timeoutMs: number,
  stop: Stopper,
): Promise<ExportResult> {
  const name = exporter.name;
  return new Promise<ExportResult>((resolve) => {
    const controller = new AbortController();
    let settled = false;
    let offStop = noop;
    const finish = (result: ExportResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      offStop();
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
    offStop = stop.onStop(onStop);
    if (settled) return;

    let pending: Promise<ExportResult> | ExportResult;
    try {
      pending = exporter.export(batch, controller.signal);
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
