import type { LogData, TraceData } from '@tracewire/core';
import { assemble } from './internal/assemble';
import { fitPart, jsonBytes, noTruncation } from './internal/fit-trace';
import type {
  AssembledTrace,
  NativeBatch,
  StoreEvent,
  TraceFilter,
  TraceSummary,
  TruncatedCounts,
} from './types';

export interface TraceStoreOptions {
  /** Traces kept in memory; the least recently updated is evicted first. Default 1000. */
  maxTraces?: number;
  /** Quiet time after a trace's latest part before it counts as finished. Default 1000 ms. */
  settleMs?: number;
  /** Standalone logs (outside any trace) kept. Default 1000. */
  maxLogs?: number;
  /** Parts that would take an assembled trace past this many spans are dropped. Default 10000. */
  maxSpansPerTrace?: number;
  /**
   * Bytes (JSON) of everything held; the least recently updated traces are
   * evicted to stay under it. Default 256 MiB.
   */
  maxBytes?: number;
  /**
   * Bytes (JSON) one trace may hold; past it long texts are cut and later
   * spans and logs left out, counted in the trace's `truncated`. Default 16 MiB
   * (never more than `maxBytes`).
   */
  maxTraceBytes?: number;
}

/**
 * A bounded in-memory store that assembles the parts of distributed traces.
 * Returned traces are shared snapshots: read them, do not change them.
 */
export interface TraceStore {
  /** Traces held, counting those that so far have only correlated logs. */
  readonly size: number;
  /** Bytes (JSON) of the traces and logs held; at most `maxBytes`. */
  readonly bytes: number;
  /** Adds traces and logs. `replayed` (loading a file) marks traces finished at once. */
  ingest(batch: NativeBatch, options?: { replayed?: boolean }): void;
  get(traceId: string): AssembledTrace | undefined;
  /** Summaries of the traces that match, newest first. */
  list(filter?: TraceFilter): TraceSummary[];
  /** Every service seen in the stored traces, sorted. */
  services(): string[];
  /** Standalone logs, oldest first. */
  logs(): LogData[];
  /**
   * Resolves with the first trace (stored or arriving) the predicate accepts;
   * rejects after `timeoutMs` (default 5000).
   */
  waitFor(
    predicate: (trace: AssembledTrace) => boolean,
    timeoutMs?: number,
  ): Promise<AssembledTrace>;
  /** Calls the listener on every change; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void;
  clear(): void;
  /** Stops the settle timers; the data stays readable. */
  close(): void;
}

interface Entry {
  id: string;
  /** Keyed by service and root span id, so a retried export replaces its earlier copy. */
  parts: Map<string, TraceData>;
  /** Stored JSON bytes of each part and what its fitting cut, by the same key. */
  partBytes: Map<string, number>;
  partTruncated: Map<string, TruncatedCounts>;
  looseLogs: LogData[];
  looseLogBytes: number[];
  /** Correlated logs (and whole parts) refused because the trace was full. */
  refused: TruncatedCounts;
  bytes: number;
  /** When it last changed, counted in ingested items (clock milliseconds tie too often). */
  order: number;
  spanCount: number;
  receivedAt: number;
  updatedAt: number;
  finished: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  assembled: AssembledTrace | undefined;
}

const MAX_LOGS_PER_TRACE = 5_000;
const MiB = 1024 * 1024;

interface StoredLog {
  log: LogData;
  bytes: number;
  /** Arrival order, shared with the traces' `order`, so eviction can take the older of the two. */
  order: number;
}

/**
 * Creates the store `tracewire dev` keeps its traces in.
 *
 * @example
 * const store = createTraceStore({ maxTraces: 100 });
 * store.ingest({ traces: [gatewayTrace, ordersTrace], logs: [] });
 * store.get(gatewayTrace.id)?.services; // ['gateway', 'orders']
 */
export function createTraceStore(options: TraceStoreOptions = {}): TraceStore {
  const maxTraces = positiveInteger(options.maxTraces, 1000, 'maxTraces');
  const settleMs = nonNegative(options.settleMs, 1000, 'settleMs');
  const maxLogs = positiveInteger(options.maxLogs, 1000, 'maxLogs');
  const maxSpansPerTrace = positiveInteger(options.maxSpansPerTrace, 10_000, 'maxSpansPerTrace');
  const maxBytes = positiveInteger(options.maxBytes, 256 * MiB, 'maxBytes');
  const maxTraceBytes = Math.min(
    positiveInteger(options.maxTraceBytes, 16 * MiB, 'maxTraceBytes'),
    maxBytes,
  );

  const entries = new Map<string, Entry>();
  const standaloneLogs: StoredLog[] = [];
  let totalBytes = 0;
  let order = 0;
  const listeners = new Set<(event: StoreEvent) => void>();

  const emit = (event: StoreEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A failing listener must not stop ingestion or the other listeners.
      }
    }
  };

  /** Fetches (or creates) an entry and marks it most recently updated. */
  const touch = (id: string, now: number): Entry => {
    let entry = entries.get(id);
    if (entry) entries.delete(id);
    else {
      entry = {
        id,
        parts: new Map(),
        partBytes: new Map(),
        partTruncated: new Map(),
        looseLogs: [],
        looseLogBytes: [],
        refused: noTruncation(),
        bytes: 0,
        order: 0,
        spanCount: 0,
        receivedAt: now,
        updatedAt: now,
        finished: false,
        timer: undefined,
        assembled: undefined,
      };
    }
    entry.order = ++order;
    entries.set(id, entry);
    return entry;
  };

  const finish = (entry: Entry, replayed: boolean) => {
    entry.timer = undefined;
    entry.finished = true;
    if (!entry.assembled) return;
    entry.assembled = { ...entry.assembled, finished: true };
    emit({ type: 'finish', trace: entry.assembled, replayed });
  };

  const addBytes = (entry: Entry, delta: number) => {
    entry.bytes += delta;
    totalBytes += delta;
  };

  /** Oldest first: traces past `maxTraces`, then traces or standalone logs past `maxBytes`. */
  const evict = () => {
    while (entries.size > maxTraces || (totalBytes > maxBytes && entries.size > 0)) {
      const oldest = entries.values().next().value as Entry;
      const oldestLog = standaloneLogs[0];
      if (entries.size <= maxTraces && oldestLog && oldestLog.order < oldest.order) {
        dropStandaloneLog();
        continue;
      }
      entries.delete(oldest.id);
      totalBytes -= oldest.bytes;
      if (oldest.timer) clearTimeout(oldest.timer);
      if (oldest.assembled) emit({ type: 'evict', id: oldest.id });
    }
    while (totalBytes > maxBytes && standaloneLogs.length > 0) dropStandaloneLog();
  };
  const dropStandaloneLog = () => {
    const dropped = standaloneLogs.shift();
    if (dropped) totalBytes -= dropped.bytes;
  };

  const store: TraceStore = {
    get size() {
      return entries.size;
    },

    get bytes() {
      return totalBytes;
    },

    ingest(batch, ingestOptions = {}) {
      const replayed = ingestOptions.replayed === true;
      const now = Date.now();
      const changed = new Set<Entry>();
      for (const trace of batch.traces) {
        const entry = touch(trace.id, now);
        const key = `${trace.serviceName}\u0000${trace.rootSpanId}`;
        const previous = entry.parts.get(key);
        const previousBytes = entry.partBytes.get(key) ?? 0;
        changed.add(entry);
        const spanCount = entry.spanCount - (previous?.spans.length ?? 0) + trace.spans.length;
        const rawBytes = jsonBytes(trace);
        const cut = noTruncation();
        const fitted =
          spanCount > maxSpansPerTrace
            ? undefined
            : fitPart(trace, rawBytes, maxTraceBytes - (entry.bytes - previousBytes), cut);
        if (!fitted) {
          entry.refused.spans += trace.spans.length;
          entry.refused.logs += trace.logs.length;
          entry.refused.bytes += rawBytes;
          continue;
        }
        entry.parts.set(key, fitted.part);
        entry.partBytes.set(key, fitted.bytes);
        if (cut.bytes > 0) entry.partTruncated.set(key, cut);
        else entry.partTruncated.delete(key);
        addBytes(entry, fitted.bytes - previousBytes);
        entry.spanCount =
          entry.spanCount - (previous?.spans.length ?? 0) + fitted.part.spans.length;
      }
      for (const log of batch.logs) {
        const bytes = jsonBytes(log);
        if (log.traceId) {
          const entry = touch(log.traceId, now);
          changed.add(entry);
          if (entry.bytes + bytes > maxTraceBytes) {
            entry.refused.logs++;
            entry.refused.bytes += bytes;
            continue;
          }
          entry.looseLogs.push(log);
          entry.looseLogBytes.push(bytes);
          addBytes(entry, bytes);
          if (entry.looseLogs.length > MAX_LOGS_PER_TRACE) {
            entry.looseLogs.shift();
            addBytes(entry, -entry.looseLogBytes.shift()!);
          }
          continue;
        }
        standaloneLogs.push({ log, bytes, order: ++order });
        totalBytes += bytes;
        if (standaloneLogs.length > maxLogs) dropStandaloneLog();
        emit({ type: 'log', log });
      }
      for (const entry of changed) {
        if (!entries.has(entry.id)) continue;
        entry.updatedAt = now;
        if (entry.parts.size === 0) continue;
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = undefined;
        entry.finished = false;
        entry.assembled = assemble({
          id: entry.id,
          parts: [...entry.parts.values()],
          looseLogs: entry.looseLogs,
          receivedAt: entry.receivedAt,
          updatedAt: entry.updatedAt,
          finished: false,
        });
        const truncated = truncation(entry);
        if (truncated) entry.assembled.truncated = truncated;
        emit({ type: 'trace', trace: entry.assembled });
        if (replayed) finish(entry, true);
        else {
          entry.timer = setTimeout(() => finish(entry, false), settleMs);
          entry.timer.unref?.();
        }
      }
      evict();
    },

    get(traceId) {
      return entries.get(String(traceId).toLowerCase())?.assembled;
    },

    list(filter = {}) {
      const matches = compileFilter(filter);
      const out: AssembledTrace[] = [];
      for (const entry of entries.values()) {
        if (entry.assembled && matches(entry.assembled)) out.push(entry.assembled);
      }
      out.sort((a, b) => b.startTime - a.startTime || b.receivedAt - a.receivedAt);
      const limit = filter.limit;
      const kept = limit !== undefined && limit >= 0 ? out.slice(0, limit) : out;
      return kept.map(summarize);
    },

    services() {
      const names = new Set<string>();
      for (const entry of entries.values()) {
        for (const name of entry.assembled?.services ?? []) names.add(name);
      }
      return [...names].sort();
    },

    logs() {
      return standaloneLogs.map((stored) => stored.log);
    },

    waitFor(predicate, timeoutMs = 5000) {
      return new Promise<AssembledTrace>((resolve, reject) => {
        let settled = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const settle = (error: unknown, trace?: AssembledTrace) => {
          if (settled) return;
          settled = true;
          unsubscribe();
          if (timer) clearTimeout(timer);
          if (trace) resolve(trace);
          else reject(error);
        };
        const check = (trace: AssembledTrace) => {
          try {
            if (predicate(trace) === true) settle(undefined, trace);
          } catch (error) {
            settle(error);
          }
        };
        const unsubscribe = store.subscribe((event) => {
          if (event.type === 'trace' || event.type === 'finish') check(event.trace);
        });
        for (const entry of [...entries.values()].reverse()) {
          if (settled) return;
          if (entry.assembled) check(entry.assembled);
        }
        if (settled) return;
        timer = setTimeout(
          () =>
            settle(
              new Error(
                `waitFor: no trace matched within ${timeoutMs} ms (${entries.size} traces in the store)`,
              ),
            ),
          timeoutMs,
        );
      });
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    clear() {
      for (const entry of entries.values()) if (entry.timer) clearTimeout(entry.timer);
      entries.clear();
      standaloneLogs.length = 0;
      totalBytes = 0;
      emit({ type: 'clear' });
    },

    close() {
      for (const entry of entries.values()) {
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = undefined;
      }
    },
  };
  return store;
}

/** Everything cut from the entry's trace, or undefined when nothing was. */
function truncation(entry: Entry): TruncatedCounts | undefined {
  const sum = { ...entry.refused };
  for (const cut of entry.partTruncated.values()) {
    sum.spans += cut.spans;
    sum.logs += cut.logs;
    sum.fields += cut.fields;
    sum.bytes += cut.bytes;
  }
  return sum.bytes > 0 || sum.spans > 0 || sum.logs > 0 ? sum : undefined;
}

/** The list view of a trace: everything but its spans and logs. */
export function summarize(trace: AssembledTrace): TraceSummary {
  const root = trace.spans[0];
  const attrs = root?.attributes ?? {};
  const summary: TraceSummary = {
    id: trace.id,
    name: trace.name,
    serviceName: trace.serviceName,
    services: trace.services,
    status: trace.status,
    startTime: trace.startTime,
    endTime: trace.endTime,
    durationMs: trace.durationMs,
    spanCount: trace.spans.length,
    errorCount: trace.errorCount,
    logCount: trace.logs.length,
    receivedAt: trace.receivedAt,
    updatedAt: trace.updatedAt,
    finished: trace.finished,
    tags: trace.tags,
  };
  if (trace.userId) summary.userId = trace.userId;
  if (trace.sessionId) summary.sessionId = trace.sessionId;
  if (trace.llm) summary.llm = trace.llm;
  if (trace.truncated) summary.truncated = trace.truncated;
  const route = attrs['http.route'];
  if (typeof route === 'string') summary.route = route;
  const method = attrs['http.request.method'];
  if (typeof method === 'string') summary.method = method;
  const statusCode = attrs['http.response.status_code'];
  if (typeof statusCode === 'number') summary.statusCode = statusCode;
  return summary;
}

function compileFilter(filter: TraceFilter): (trace: AssembledTrace) => boolean {
  const service = filter.service || undefined;
  const status = filter.status || undefined;
  const q = filter.q?.trim().toLowerCase() || undefined;
  const { user, session, tag } = filter;
  return (trace) => {
    if (service !== undefined && !trace.services.includes(service)) return false;
    if (user && trace.userId !== user) return false;
    if (session && trace.sessionId !== session) return false;
    if (tag && !trace.tags.includes(tag)) return false;
    if (status !== undefined) {
      if (status === 'ok' ? trace.status === 'error' : trace.status !== status) return false;
    }
    if (q === undefined) return true;
    if (trace.id.includes(q) || trace.name.toLowerCase().includes(q)) return true;
    if (trace.services.some((s) => s.toLowerCase().includes(q))) return true;
    if (trace.userId?.toLowerCase().includes(q) || trace.sessionId?.toLowerCase().includes(q)) {
      return true;
    }
    if (trace.tags.some((t) => t.toLowerCase().includes(q))) return true;
    return trace.spans.some((span) => {
      if (span.name.toLowerCase().includes(q) || span.spanId === q) return true;
      const route = span.attributes['http.route'] ?? span.attributes['url.path'];
      return typeof route === 'string' && route.toLowerCase().includes(q);
    });
  };
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(
      `${name} must be a number of milliseconds (0 or more), got ${String(value)}.`,
    );
  }
  return value;
}
