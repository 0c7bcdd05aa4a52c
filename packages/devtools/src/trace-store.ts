import type { LogData, TraceData } from '@tracewire/core';
import { assemble } from './internal/assemble';
import type { AssembledTrace, NativeBatch, StoreEvent, TraceFilter, TraceSummary } from './types';

export interface TraceStoreOptions {
  /** Traces kept in memory; the least recently updated is evicted first. Default 1000. */
  maxTraces?: number;
  /** Quiet time after a trace's latest part before it counts as finished. Default 1000 ms. */
  settleMs?: number;
  /** Standalone logs (outside any trace) kept. Default 1000. */
  maxLogs?: number;
  /** Parts that would take an assembled trace past this many spans are dropped. Default 10000. */
  maxSpansPerTrace?: number;
}

/**
 * A bounded in-memory store that assembles the parts of distributed traces.
 * Returned traces are shared snapshots: read them, do not change them.
 */
export interface TraceStore {
  /** Traces held, counting those that so far have only correlated logs. */
  readonly size: number;
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
  looseLogs: LogData[];
  spanCount: number;
  receivedAt: number;
  updatedAt: number;
  finished: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  assembled: AssembledTrace | undefined;
}

const MAX_LOGS_PER_TRACE = 5_000;

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

  const entries = new Map<string, Entry>();
  const standaloneLogs: LogData[] = [];
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
        looseLogs: [],
        spanCount: 0,
        receivedAt: now,
        updatedAt: now,
        finished: false,
        timer: undefined,
        assembled: undefined,
      };
    }
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

  const evict = () => {
    while (entries.size > maxTraces) {
      const oldest = entries.values().next().value as Entry;
      entries.delete(oldest.id);
      if (oldest.timer) clearTimeout(oldest.timer);
      if (oldest.assembled) emit({ type: 'evict', id: oldest.id });
    }
  };

  const store: TraceStore = {
    get size() {
      return entries.size;
    },

    ingest(batch, ingestOptions = {}) {
      const replayed = ingestOptions.replayed === true;
      const now = Date.now();
      const changed = new Set<Entry>();
      for (const trace of batch.traces) {
        const entry = touch(trace.id, now);
        const key = `${trace.serviceName}\u0000${trace.rootSpanId}`;
        const previous = entry.parts.get(key);
        const spanCount = entry.spanCount - (previous?.spans.length ?? 0) + trace.spans.length;
        if (spanCount > maxSpansPerTrace) continue;
        entry.parts.set(key, trace);
        entry.spanCount = spanCount;
        changed.add(entry);
      }
      for (const log of batch.logs) {
        if (log.traceId) {
          const entry = touch(log.traceId, now);
          entry.looseLogs.push(log);
          if (entry.looseLogs.length > MAX_LOGS_PER_TRACE) entry.looseLogs.shift();
          changed.add(entry);
          continue;
        }
        standaloneLogs.push(log);
        if (standaloneLogs.length > maxLogs) standaloneLogs.shift();
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
      return [...standaloneLogs];
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
  };
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
  return (trace) => {
    if (service !== undefined && !trace.services.includes(service)) return false;
    if (status !== undefined) {
      if (status === 'ok' ? trace.status === 'error' : trace.status !== status) return false;
    }
    if (q === undefined) return true;
    if (trace.id.includes(q) || trace.name.toLowerCase().includes(q)) return true;
    if (trace.services.some((s) => s.toLowerCase().includes(q))) return true;
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
