import type { LogData, SpanData, Status, TraceData } from '@tracewire/core';

/** A span of an assembled trace, tagged with the service that recorded it. */
export interface AssembledSpan extends SpanData {
  /** The service whose exported trace held this span; also in `attributes['service.name']`. */
  serviceName: string;
}

/**
 * One request across every service it touched: the parts that each service
 * exported for the same trace id, merged. It keeps the `TraceData` shape, so
 * anything that renders a trace renders it; `serviceName`, `name` and the
 * trace-level fields come from the part holding the true root span.
 */
export interface AssembledTrace extends TraceData {
  spans: AssembledSpan[];
  /** Every service with a span in the trace, the root's service first, then by first span start. */
  services: string[];
  /** How many exported parts were merged. */
  partCount: number;
  /** Spans whose status is `error`. */
  errorCount: number;
  /** Epoch ms of the first and the latest part's arrival. */
  receivedAt: number;
  updatedAt: number;
  /** No part has arrived for the store's settle period; a later part clears it again. */
  finished: boolean;
  /** Token and cost totals over the trace's LLM spans; absent when it has none. */
  llm?: LlmTotals;
  /** What the collector left out to keep the trace within its per-trace size limit. */
  truncated?: TruncatedCounts;
}

/** Sums over the spans that carry a model, token usage or cost. */
export interface LlmTotals {
  /** Spans with LLM fields. */
  calls: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** Sum of the spans' `cost`; absent when no span has one. */
  cost?: number;
  /** LLM spans without a `cost`, so `cost` covers only the others. */
  unpriced: number;
}

/** What the collector cut from a trace that grew past `maxTraceBytes`. */
export interface TruncatedCounts {
  /** Spans left out (a part's later spans, or whole parts). */
  spans: number;
  /** Logs left out. */
  logs: number;
  /** Inputs, outputs and attribute values cut to a prefix that ends in a marker. */
  fields: number;
  /** Bytes (of JSON) not stored. */
  bytes: number;
}

/** What the trace list shows: an assembled trace without its spans and logs. */
export interface TraceSummary {
  id: string;
  name: string;
  serviceName: string;
  services: string[];
  status: Status;
  startTime: number;
  endTime: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  logCount: number;
  /** The root span's `http.route`, `http.request.method` and `http.response.status_code`. */
  route?: string;
  method?: string;
  statusCode?: number;
  userId?: string;
  sessionId?: string;
  tags: string[];
  llm?: LlmTotals;
  truncated?: TruncatedCounts;
  receivedAt: number;
  updatedAt: number;
  finished: boolean;
}

/** Filters for `store.list()` and `GET /api/traces`; all of them must match. */
export interface TraceFilter {
  /** Only traces with a span from this service. */
  service?: string;
  /** `error`: errored traces; `ok`: every trace that did not error; any other status: exactly it. */
  status?: string;
  /** Only traces of this user (`userId`, exact). */
  user?: string;
  /** Only traces of this session (`sessionId`, exact). */
  session?: string;
  /** Only traces with this tag. */
  tag?: string;
  /** Case-insensitive text found in the trace id, its name, route, user, session, a tag, a service or a span name. */
  q?: string;
  /** At most this many, newest first. */
  limit?: number;
}

/** One native export batch: what `POST /v1/tracewire` carries and each line of the trace file holds. */
export interface NativeBatch {
  traces: TraceData[];
  logs: LogData[];
}

/** What the store tells its subscribers. */
export type StoreEvent =
  | { type: 'trace'; trace: AssembledTrace }
  | { type: 'finish'; trace: AssembledTrace; replayed: boolean }
  | { type: 'evict'; id: string }
  | { type: 'log'; log: LogData }
  | { type: 'clear' };
