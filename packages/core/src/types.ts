/**
 * Public data shapes of @tracewire/core: what a finished trace looks like when it
 * reaches an exporter, and the value types the API accepts. Exporters depend on
 * these and nothing else.
 */

/** Every span kind. The first five mirror OpenTelemetry's. */
export const SPAN_KINDS = [
  'server',
  'client',
  'internal',
  'producer',
  'consumer',
  'llm',
  'tool',
  'retrieval',
  'embedding',
  'agent',
  'chain',
  'job',
] as const;

/** What kind of work a span represents. */
export type SpanKind = (typeof SPAN_KINDS)[number];

/** Every status; `aborted`: the client went away first; `cancelled`: the work was called off. */
export const STATUSES = ['unset', 'ok', 'error', 'aborted', 'cancelled'] as const;

export type Status = (typeof STATUSES)[number];

export type AttributeScalar = string | number | boolean;
export type AttributeValue = AttributeScalar | AttributeScalar[] | null | undefined;
export type Attributes = Record<string, AttributeValue>;

/** Token usage of an LLM call. `totalTokens` is derived when absent. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
}

export interface ErrorData {
  message: string;
  type: string;
  stack?: string;
}

export interface SignalData {
  name: string;
  value: number | boolean;
  type: 'numeric' | 'boolean';
  time: number;
}

export interface EventData {
  name: string;
  /** Epoch milliseconds (fractional). */
  time: number;
  attributes?: Attributes;
}

export interface LinkData {
  traceId: string;
  spanId: string;
  attributes?: Attributes;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A span as exporters receive it (`span.toJSON()`). Times are epoch milliseconds. */
export interface SpanData {
  traceId: string;
  spanId: string;
  /** The parent span's id; for a trace's root span, the remote caller's span id or null. */
  parentId: string | null;
  name: string;
  kind: SpanKind;
  status: Status;
  statusMessage?: string;
  startTime: number;
  endTime: number;
  durationMs: number;
  attributes: Attributes;
  tags?: string[];
  /** JSON text, already truncated to `limits.maxIoBytes`. */
  input?: string;
  output?: string;
  error?: ErrorData;
  model?: string;
  provider?: string;
  usage?: Usage;
  cost?: number;
  signals?: SignalData[];
  events?: EventData[];
  links?: LinkData[];
  droppedAttributes?: number;
  droppedEvents?: number;
}

/** A log record. Correlated logs carry the trace and span they were emitted in. */
export interface LogData {
  level: LogLevel;
  message: string;
  time: number;
  attributes?: Attributes;
  traceId?: string;
  spanId?: string;
  /** `analytics` logs are product events (sign-ups, purchases) rather than diagnostics. */
  type?: 'log' | 'analytics';
  eventType?: string;
  userId?: string;
  sessionId?: string;
  serviceName: string;
  environment?: string;
}

/** What limits cut from a trace before it was exported. */
export interface DroppedCounts {
  spans: number;
  attributes: number;
  truncatedAttributes: number;
  events: number;
  logs: number;
  truncatedIo: number;
}

/** A whole finished trace, as one unit handed to an exporter (`trace.toJSON()`). */
export interface TraceData {
  /** Wire-format version of this shape. */
  schemaVersion: 1;
  id: string;
  name: string;
  serviceName: string;
  environment?: string;
  status: Status;
  startTime: number;
  endTime: number;
  durationMs: number;
  /** The root span's id. */
  rootSpanId: string;
  /** The remote caller's span id when this trace continues an inbound context. */
  parentSpanId?: string;
  sessionId?: string;
  userId?: string;
  referenceId?: string;
  tags: string[];
  attributes: Attributes;
  /** Every span of the trace, the root first. */
  spans: SpanData[];
  logs: LogData[];
  dropped: DroppedCounts;
  sdk: { name: '@tracewire/core'; version: string };
}

/** Everything an exporter may be asked to deliver in one call. */
export interface ExportBatch {
  traces: TraceData[];
  logs: LogData[];
}

/**
 * The outcome of one delivery attempt. `retryable` failures are tried again with
 * backoff (network errors, timeouts, 408, 429, 5xx); others are dropped.
 */
export type ExportResult =
  | { ok: true }
  | { ok: false; retryable: boolean; retryAfterMs?: number; error: Error };

/**
 * Sends batches somewhere. The pipeline may call `export` again before an
 * earlier call settled (up to `batch.maxConcurrentExports`, default 4; set it
 * to 1 for a sink that needs one batch at a time). Throwing or rejecting
 * counts as a retryable failure.
 */
export interface Exporter {
  readonly name: string;
  export(batch: ExportBatch, signal: AbortSignal): Promise<ExportResult> | ExportResult;
  shutdown?(): Promise<void> | void;
}

/** The propagated identity of a span: what crosses process boundaries. */
export interface SpanContext {
  traceId: string;
  spanId: string;
  /** W3C trace-flags bit 0. */
  sampled: boolean;
  /** W3C Level 2 trace-flags bit 1: the right 56 bits of the trace id are random. */
  random: boolean;
  /** Validated `tracestate` header value, ready to forward; empty when none. */
  traceState?: string;
  /** W3C baggage entries. */
  baggage?: Map<string, BaggageEntry>;
  /** True when the context came from another process. */
  isRemote?: boolean;
}

export interface BaggageEntry {
  value: string;
  /** Raw property string after the value (`;prop=1`), kept verbatim. */
  metadata?: string;
}

/** A header bag as Node, fetch and frameworks give it. */
export type HeaderGetter =
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null | undefined }
  | { getHeader(name: string): number | string | string[] | undefined };
