import type { Exporter } from '../../types';
import { describeError } from '../export-error';
import { emptyExportStats } from '../export-stats';
import type { ExportProblem, PipelineSettings } from '../pipeline-options';
import type { ExportQueue, Flight, Group } from './export-queue';
import { FlushWaiters } from './flush-waiters';
import { type Outcome, RetryGate, type SendContext, sendBatch } from './send-batch';
import { Stopper } from './stopper';

/**
 * The sending half of the export pipeline: takes what is due from the queue
 * into up to `maxConcurrentExports` requests (one while the collector
 * fails), settles each when its delivery ends, counts the outcome and wakes
 * whoever waits for it.
 */
export class Dispatcher {
  readonly counters = emptyExportStats();
  readonly waiters: FlushWaiters;
  private readonly flights = new Set<Flight>();
  private readonly gate: RetryGate;
  private idleWaiters: (() => void)[] = [];
  private readonly stopper = new Stopper();
  private readonly sending: SendContext;

  /**
   * `scoped`: on a request-scoped runtime (workerd) whoever starts a request
   * waits for it in its own request, so a finished request starts no next one
   * and a retry waits out its backoff without queueing behind another
   * request's attempt (a promise of a request that may already be over).
   */
  constructor(
    exporter: Exporter,
    private readonly settings: PipelineSettings,
    private readonly queue: ExportQueue,
    private readonly report: (problem: ExportProblem) => void,
    private readonly scoped = false,
  ) {
    this.gate = new RetryGate(scoped);
    this.waiters = new FlushWaiters((groupSeq, logCount) => this.settledUpTo(groupSeq, logCount));
    const counters = this.counters;
    this.sending = {
      exporter,
      settings,
      gate: this.gate,
      stop: this.stopper,
      report,
      countRetry: () => {
        counters.retries++;
      },
    };
  }

  /**
   * Starts requests while slots are free and something is due, and returns
   * their deliveries (which never reject). Call it outside any trace.
   */
  pump(): Promise<void>[] {
    const started: Promise<void>[] = [];
    try {
      const s = this.settings;
      const limit = this.gate.failing ? 1 : s.maxConcurrentExports;
      while (this.flights.size < limit) {
        const flight = this.queue.take(limit - this.flights.size, s.maxBatchBytes, s.maxBatchLogs);
        if (flight === undefined) break;
        started.push(this.launch(flight));
      }
    } catch {
      // Bookkeeping must never throw into whoever triggered the pump.
    }
    return started;
  }

  /** Sends `flight` now, whatever is in flight; the delivery never rejects. */
  launch(flight: Flight): Promise<void> {
    this.flights.add(flight);
    this.reportUnserialisable(flight);
    return this.fly(flight);
  }

  /** Traces and logs in requests now. */
  inFlight(): { traces: number; logs: number } {
    let traces = 0;
    let logs = 0;
    for (const flight of this.flights) {
      traces += flight.batch.traces.length;
      logs += flight.batch.logs.length;
    }
    return { traces, logs };
  }

  /** Cancels every attempt in flight and every backoff, for good (the shutdown deadline). */
  cancel(): void {
    this.stopper.stop();
  }

  /** Resolves when no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.flights.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** True when every group up to `groupSeq` and the first `logCount` logs are settled. */
  settledUpTo(groupSeq: number, logCount: number): boolean {
    const queue = this.queue;
    let lowestSeq = queue.groups[0]?.seq ?? queue.nextSeq;
    let lowestLog = queue.logsTaken;
    for (const flight of this.flights) {
      if (flight.firstSeq < lowestSeq) lowestSeq = flight.firstSeq;
      if (flight.batch.logs.length > 0 && flight.logStart < lowestLog) lowestLog = flight.logStart;
    }
    return lowestSeq > groupSeq && lowestLog >= logCount;
  }

  private async fly(flight: Flight): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await sendBatch(this.sending, flight.batch);
    } catch (error) {
      // sendBatch never throws by design; if it does, the drop must still be visible.
      outcome = { delivered: false, reason: 'rejected' };
      this.report({
        kind: 'exporter-threw',
        message: `${this.sending.exporter.name} exporter could not send a batch: ${describeError(error)}; dropped`,
        error,
        dropped: flight.batch.traces.length + flight.batch.logs.length,
      });
    }
    this.flights.delete(flight);
    this.settle(flight, outcome);
    if (!this.scoped) this.pump();
    if (this.flights.size === 0) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of idle) resolve();
    }
  }

  private settle(flight: Flight, outcome: Outcome): void {
    const c = this.counters;
    const traces = flight.batch.traces.length;
    const logs = flight.batch.logs.length;
    if (outcome.delivered) {
      c.tracesExported += traces;
      c.spansExported += flight.spanCount;
      c.logsExported += logs;
    } else if (outcome.unconfirmed === true) {
      c.tracesUnconfirmed += traces;
      c.logsUnconfirmed += logs;
      c.failedBatches++;
    } else {
      c.tracesDropped[outcome.reason] += traces;
      c.logsDropped[outcome.reason] += logs;
      c.failedBatches++;
    }
    this.queue.release(flight);
    for (const group of flight.groups) settleGroup(group);
    this.waiters.wake();
  }

  private reportUnserialisable(flight: Flight): void {
    const { count, firstId, firstError } = flight.unserialisable;
    if (count === 0) return;
    this.counters.tracesDropped['serialize-failed'] += count;
    this.report({
      kind: 'serialize',
      message: `trace ${firstId}.toJSON() threw (${describeError(firstError)}); ${count} trace(s) dropped`,
      error: firstError,
      dropped: count,
    });
  }
}

/** Delivered or given up: resolve whoever awaits it and drop its keep-alive. */
export function settleGroup(group: Group): void {
  group.settled = true;
  if (group.keepAlive !== undefined) clearTimeout(group.keepAlive);
  group.resolve();
}
