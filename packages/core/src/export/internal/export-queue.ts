import { logSize } from '../../internal/estimate-size';
import type { ExportBatch, LogData, TraceData } from '../../types';
import type { QueuedTrace } from '../pipeline-options';
import { Delivery } from './delivery';

/**
 * Traces that travel in the same batch. They share one promise, so a trace
 * costs no allocation of its own while it waits.
 */
export interface Group {
  readonly seq: number;
  traces: QueuedTrace[];
  count: number;
  bytes: number;
  /** No more traces join; the group may go out. */
  sealed: boolean;
  readonly delivery: Delivery;
  readonly resolve: () => void;
  /** Delivered or given up. */
  settled: boolean;
  /** The ref'd timer that keeps the process alive while someone awaits this group. */
  keepAlive: ReturnType<typeof setTimeout> | undefined;
}

/** One request's worth: whole groups (never a split trace) and standalone logs. */
export interface Flight {
  readonly groups: Group[];
  readonly batch: ExportBatch;
  readonly spanCount: number;
  readonly traceCount: number;
  readonly bytes: number;
  /** The lowest group seq on board (`Infinity` when none). */
  readonly firstSeq: number;
  /** Index (in acceptance order) of its first log. */
  readonly logStart: number;
  readonly logBytes: number;
  /** Traces whose `toJSON()` threw, dropped from the batch. */
  readonly unserialisable: { count: number; firstId: string; firstError: unknown };
}

/**
 * The waiting part of the export pipeline: finished traces in groups and
 * standalone logs, with their counts and estimated bytes, bounded by the
 * pipeline's settings. It decides what may join and what goes out next; it
 * never sends.
 */
export class ExportQueue {
  readonly groups: Group[] = [];
  private readonly logs: LogData[] = [];
  /** How many logs at the front of `logs` should go out now. */
  private logsDue = 0;
  nextSeq = 1;
  /** Logs accepted so far; log number n is the n-th accepted. */
  logsAccepted = 0;
  /** Logs taken out (sent or given up) so far; the queued ones are numbered from here. */
  logsTaken = 0;

  heldTraces = 0;
  heldBytes = 0;
  heldLogs = 0;

  /**
   * On a request-scoped runtime (workerd) every trace is a group of its own:
   * its promise then belongs to the request that ended it, and that request
   * alone sends it (see `ExportPipeline`).
   */
  constructor(
    private readonly onAwait: (group: Group) => void,
    private readonly groupPerTrace = false,
  ) {}

  /** Adds a trace to the open group, or returns undefined when it does not fit the bounds. */
  addTrace(
    trace: QueuedTrace,
    bytes: number,
    maxTraces: number,
    maxBytes: number,
  ): Group | undefined {
    if (this.heldTraces >= maxTraces || this.heldBytes + bytes > maxBytes) return undefined;
    let group = this.groups[this.groups.length - 1];
    if (group === undefined || group.sealed) group = this.newGroup();
    if (this.groupPerTrace) group.sealed = true;
    group.traces.push(trace);
    group.count++;
    group.bytes += bytes;
    this.heldTraces++;
    this.heldBytes += bytes;
    return group;
  }

  /** Adds a standalone log; false when it does not fit the bounds. */
  addLog(log: LogData, maxLogs: number, maxBytes: number): boolean {
    const bytes = logSize(log);
    if (this.heldLogs >= maxLogs || this.heldBytes + bytes > maxBytes) return false;
    this.logs.push(log);
    this.heldLogs++;
    this.heldBytes += bytes;
    this.logsAccepted++;
    return true;
  }

  /** Logs queued and not yet due. */
  get logsWaiting(): number {
    return this.logs.length - this.logsDue;
  }

  /** Makes every queued log due now. */
  markLogsDue(): void {
    this.logsDue = this.logs.length;
  }

  /** Seals the open group and makes every log due: all of it may go out. */
  markAllDue(): void {
    const tail = this.groups[this.groups.length - 1];
    if (tail !== undefined) tail.sealed = true;
    this.logsDue = this.logs.length;
  }

  /**
   * The next request's worth, or undefined when nothing is due. When sealed
   * groups wait (a backlog), they are spread over the `freeSlots` requests
   * that can start now, merged up to `maxBatchBytes`, so batches grow with
   * the backlog instead of the backlog growing past the queue.
   */
  take(freeSlots: number, maxBatchBytes: number, maxBatchLogs: number): Flight | undefined {
    let sealed = this.groups.length;
    if (sealed > 0 && !this.groups[sealed - 1]!.sealed) sealed--;
    const logCount = Math.min(this.logsDue, maxBatchLogs);
    if (sealed === 0 && logCount === 0) return undefined;

    const wanted = Math.ceil(sealed / Math.max(freeSlots, 1));
    const groups: Group[] = [];
    let bytes = 0;
    while (groups.length < wanted) {
      const next = this.groups[0]!;
      if (groups.length > 0 && bytes + next.bytes > maxBatchBytes) break;
      this.groups.shift();
      groups.push(next);
      bytes += next.bytes;
    }
    return this.board(groups, bytes, logCount);
  }

  /**
   * `group` alone (with the logs that are due, up to `maxBatchLogs`), taken out
   * of the queue for its own request; undefined once it has left the queue.
   */
  takeGroup(group: Group, maxBatchLogs: number): Flight | undefined {
    const index = this.groups.indexOf(group);
    if (index === -1) return undefined;
    this.groups.splice(index, 1);
    group.sealed = true;
    return this.board([group], group.bytes, Math.min(this.logsDue, maxBatchLogs));
  }

  /** Makes a flight of `groups` and the first `logCount` queued logs. */
  private board(groups: Group[], bytes: number, logCount: number): Flight {
    // A batch in flight counts twice: its traces, and the encoded copy an
    // exporter holds while it sends and retries.
    this.heldBytes += bytes;

    const logStart = this.logsTaken;
    const logs = logCount > 0 ? this.logs.splice(0, logCount) : [];
    this.logsDue -= logCount;
    this.logsTaken += logCount;
    let logBytes = 0;
    for (const log of logs) logBytes += logSize(log);

    const traces: TraceData[] = [];
    let spanCount = 0;
    let traceCount = 0;
    const unserialisable = { count: 0, firstId: '', firstError: undefined as unknown };
    for (const group of groups) {
      traceCount += group.count;
      for (const trace of group.traces) {
        try {
          traces.push(trace.toJSON());
          spanCount += Math.max(trace.spanCount || 0, 0);
        } catch (error) {
          if (unserialisable.count === 0) {
            unserialisable.firstError = error;
            unserialisable.firstId = safeId(trace);
          }
          unserialisable.count++;
        }
      }
      // The serialised copies are all that is needed from here on; let the
      // live trace objects go while the batch waits out retries.
      group.traces = [];
    }
    return {
      groups,
      batch: { traces, logs },
      spanCount,
      traceCount,
      bytes,
      firstSeq: groups[0]?.seq ?? Number.POSITIVE_INFINITY,
      logStart,
      logBytes,
      unserialisable,
    };
  }

  /** Releases what a flight held. */
  release(flight: Flight): void {
    this.heldTraces -= flight.traceCount;
    this.heldBytes -= 2 * flight.bytes + flight.logBytes;
    this.heldLogs -= flight.batch.logs.length;
  }

  /** Takes everything still waiting out of the queue, for the shutdown deadline. */
  drain(): { groups: Group[]; logs: number } {
    const groups = this.groups.splice(0, this.groups.length);
    for (const group of groups) {
      this.heldTraces -= group.count;
      this.heldBytes -= group.bytes;
      group.traces = [];
    }
    const logs = this.logs.splice(0, this.logs.length);
    for (const log of logs) this.heldBytes -= logSize(log);
    this.heldLogs -= logs.length;
    this.logsDue = 0;
    this.logsTaken += logs.length;
    return { groups, logs: logs.length };
  }

  private newGroup(): Group {
    let group!: Group;
    const { delivery, resolve } = Delivery.pending(() => this.onAwait(group));
    group = {
      seq: this.nextSeq++,
      traces: [],
      count: 0,
      bytes: 0,
      sealed: false,
      settled: false,
      delivery,
      resolve,
      keepAlive: undefined,
    };
    this.groups.push(group);
    return group;
  }
}

function safeId(trace: QueuedTrace): string {
  try {
    return String(trace.id);
  } catch {
    return '(unknown id)';
  }
}
