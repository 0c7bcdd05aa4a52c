import { activeSpan, runWithCarrier } from './context/storage';
import type { ClientPolicy } from './http/client-policy';
import { now } from './internal/clock';
import { attributesSize, logsSize } from './internal/estimate-size';
import { newTraceId } from './internal/ids';
import { type Limits, noneDropped } from './internal/limits';
import type { PriceTable } from './llm/prices';
import { type LogFields, type Logger, makeLogRecord } from './log';
import { injectContext } from './propagation/propagator';
import { Span, type SpanOptions } from './span';
import type {
  Attributes,
  BaggageEntry,
  DroppedCounts,
  LinkData,
  LogData,
  LogLevel,
  SpanContext,
  SpanKind,
  Status,
  TraceData,
} from './types';
import { checkCallOptions } from './validation/options-check';
import { SPAN_OPTION_NAMES } from './validation/tracer-options';
import { VERSION } from './version';

/** Options for starting a trace. Only `name` is required. */
export interface TraceOptions {
  name: string;
  serviceName?: string;
  environment?: string;
  sessionId?: string;
  userId?: string;
  referenceId?: string;
  tags?: string[];
  /** Trace-level attributes (metadata); the root span's own go in `spanAttributes`. */
  attributes?: Attributes;
  /** Attributes of the root span. */
  spanAttributes?: Attributes;
  status?: Status;
  /** The caller's context (from `extract(headers)`); the trace continues it. */
  parent?: SpanContext | null;
  /** The root span's kind. Default `internal`. */
  kind?: SpanKind;
  input?: unknown;
  links?: LinkData[];
  /** Epoch milliseconds; defaults to now. */
  startTime?: number;
  /** Overrides the head sampler: `false` records nothing but still propagates. */
  sampled?: boolean;
}

/** Fields `trace.update()` changes: attributes merge, tags replace. */
export interface TraceUpdate {
  name?: string;
  status?: Status;
  tags?: string[];
  attributes?: Attributes;
  sessionId?: string;
  userId?: string;
  referenceId?: string;
}

/** @internal What a trace needs from the tracer that made it. */
export interface TraceRuntime {
  readonly serviceName: string;
  readonly environment: string | undefined;
  readonly limits: Limits;
  readonly contextEnabled: boolean;
  /** Extra sensitive query parameter names (the tracer's `redact.queryParams`). */
  readonly redactQuery: readonly string[];
  /** How outgoing calls inside the trace are traced; undefined: not at all (`outgoing: false`). */
  readonly clientPolicy: ClientPolicy | undefined;
  /** False when nothing would receive the trace (no exporter, disabled). */
  readonly recording: boolean;
  /** The head decision: `options.sampled`, else the sampler; then the rate cap. */
  /** Prices that give LLM spans a cost when they end with a model and usage; default the built-in table. */
  readonly prices?: PriceTable;
  headSample(traceId: string, options: TraceOptions): boolean;
  deliver(trace: Trace, urgent: boolean): Promise<void>;
  /** The tail decision: false drops a finished, head-sampled trace. */
  keepAtEnd(trace: Trace): boolean;
}

const RESOLVED: Promise<void> = Promise.resolve();
/** The fixed fields of a serialised trace: ids, times, status, sdk, dropped counts, key names. */
const TRACE_BASE_BYTES = 330;
// What an exported trace without tags, attributes, logs or cuts shares: exported data is read, not written.
const NO_TAGS = Object.freeze([]) as unknown as string[];
const NO_ATTRIBUTES = Object.freeze({}) as Attributes;
const NO_LOGS = Object.freeze([]) as unknown as LogData[];
// An unsampled trace never holds a span (`startSpan()` adds only recording ones).
const NO_SPANS = Object.freeze([]) as unknown as Span[];
const NONE_DROPPED = Object.freeze(noneDropped());
/** Shared by every exported trace: one object, not one per trace. */
const SDK: TraceData['sdk'] = Object.freeze({ name: '@tracewire/core', version: VERSION });

/**
 * One unit of work: an HTTP request, a job, a conversation turn. Buffers its
 * spans and logs; `end()` hands the whole trace to the exporter as one unit.
 */
export class Trace {
  readonly id: string;
  readonly rootSpan: Span;
  /** The head-sampling decision, propagated downstream as the sampled flag. */
  readonly sampled: boolean;
  readonly random: boolean;
  readonly serviceName: string;
  readonly environment: string | undefined;
  /** The remote parent this trace continues, if any. */
  readonly parent: SpanContext | undefined;
  sessionId: string | undefined;
  userId: string | undefined;
  referenceId: string | undefined;
  traceState: string | undefined;
  baggage: Map<string, BaggageEntry> | undefined;
  /** @internal */
  readonly limits: Limits;
  /** @internal */
  readonly contextEnabled: boolean;
  /** @internal */
  readonly redactQuery: readonly string[];
  /** @internal The tracer's outgoing-call policy, read by the HTTP client hooks. */
  readonly clientPolicy: ClientPolicy | undefined;
  /** @internal */
  readonly prices: PriceTable | undefined;
  private readonly runtime: TraceRuntime;
  private readonly spans: Span[];
  // Made on first use: most traces never have tags, trace attributes, logs or cuts,
  // and four empty objects per request are worth not allocating.
  private ownTags: string[] | undefined;
  private ownAttributes: Attributes | undefined;
  private ownDropped: DroppedCounts | undefined = undefined;
  private logs: LogData[] | undefined = undefined;
  private ended: Promise<void> | undefined = undefined;
  private logger: Logger | undefined = undefined;

  /** @internal Use `tracer.startTrace()`. */
  constructor(runtime: TraceRuntime, options: TraceOptions) {
    this.runtime = runtime;
    this.limits = runtime.limits;
    this.contextEnabled = runtime.contextEnabled;
    this.redactQuery = runtime.redactQuery;
    this.clientPolicy = runtime.clientPolicy;
    this.prices = runtime.prices;
    const parent = options.parent ?? undefined;
    this.parent = parent;
    this.id = parent ? parent.traceId : newTraceId();
    this.random = parent ? parent.random : true;
    this.traceState = parent?.traceState || undefined;
    this.baggage = parent?.baggage;
    this.sampled = runtime.recording && runtime.headSample(this.id, options);
    this.serviceName = options.serviceName ?? runtime.serviceName;
    this.environment = options.environment ?? runtime.environment;
    this.sessionId = options.sessionId;
    this.userId = options.userId;
    this.referenceId = options.referenceId;
    this.ownTags = options.tags ? options.tags.slice() : undefined;
    this.ownAttributes = options.attributes ? { ...options.attributes } : undefined;
    this.rootSpan = new Span(this, options.name, parent ? parent.spanId : null, this.sampled, {
      kind: options.kind,
      attributes: options.spanAttributes,
      input: options.input,
      links: options.links,
      startTime: options.startTime,
    });
    if (options.status) this.rootSpan.setStatus(options.status);
    this.spans = this.sampled ? [this.rootSpan] : NO_SPANS;
  }

  get name(): string {
    return this.rootSpan.name;
  }

  get tags(): string[] {
    if (this.ownTags === undefined) this.ownTags = [];
    return this.ownTags;
  }

  set tags(tags: string[]) {
    this.ownTags = tags;
  }

  /** Trace-level attributes (metadata); the root span's own are `rootSpan.attributes`. */
  get attributes(): Attributes {
    if (this.ownAttributes === undefined) this.ownAttributes = {};
    return this.ownAttributes;
  }

  set attributes(attributes: Attributes) {
    this.ownAttributes = attributes;
  }

  /** What limits cut from this trace, counted. */
  get dropped(): DroppedCounts {
    if (this.ownDropped === undefined) this.ownDropped = noneDropped();
    return this.ownDropped;
  }

  get status(): Status {
    return this.rootSpan.status;
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  get startTime(): number {
    return this.rootSpan.startTime;
  }

  get durationMs(): number {
    return this.rootSpan.durationMs;
  }

  /**
   * Starts a span in this trace: a child of `parent`, else of the current span
   * when it belongs to this trace, else of the root.
   */
  startSpan(name: string, options?: SpanOptions, parent?: Span): Span {
    if (options !== undefined) checkCallOptions('startSpan()', options, SPAN_OPTION_NAMES);
    const parentSpan = parent ?? this.currentSpanInTrace() ?? this.rootSpan;
    let recording = this.sampled && this.ended === undefined;
    if (recording && this.spans.length >= this.limits.maxSpansPerTrace) {
      this.dropped.spans++;
      recording = false;
    }
    const span = new Span(this, name, parentSpan.id, recording, options);
    if (recording) this.spans.push(span);
    return span;
  }

  /**
   * Runs `fn` inside a new child span that ends when `fn` finishes.
   *
   * @example const user = await trace.wrap('db.getUser', () => db.users.find(id));
   */
  wrap<R>(spanName: string, fn: (span: Span) => R, options?: SpanOptions): R {
    return this.startSpan(spanName, options).wrap(fn);
  }

  /** Runs `fn` with this trace's root span as the current context. */
  run<R>(fn: (trace: Trace) => R): R {
    return this.contextEnabled ? runWithCarrier(this.rootSpan, () => fn(this)) : fn(this);
  }

  update(fields: TraceUpdate): this {
    if (fields.name !== undefined) this.rootSpan.name = fields.name;
    if (fields.status !== undefined) this.rootSpan.setStatus(fields.status);
    if (fields.tags) this.ownTags = fields.tags.slice();
    if (fields.attributes) Object.assign(this.attributes, fields.attributes);
    if (fields.sessionId !== undefined) this.sessionId = fields.sessionId;
    if (fields.userId !== undefined) this.userId = fields.userId;
    if (fields.referenceId !== undefined) this.referenceId = fields.referenceId;
    return this;
  }

  /** Logs correlated to this trace and the current span. */
  get log(): Logger {
    if (this.logger === undefined) this.logger = this.loggerFor(undefined);
    return this.logger;
  }

  /** `traceparent` (and `tracestate`, `baggage`) to send onward from the current span. */
  headers(): Record<string, string> {
    return this.headersFor(this.currentSpanInTrace() ?? this.rootSpan);
  }

  /**
   * Ends the trace: closes every open span, applies the tail policy and enqueues
   * the whole trace for export. Calling it again returns the same promise.
   *
   * Not awaited (a server's request path), it costs no I/O and keeps nothing
   * alive: the trace goes out with its batch. Awaited (a script, a job, a
   * serverless handler), its batch is sent at once and the process stays
   * alive until the trace is delivered or finally given up, or at most the
   * pipeline's `flushTimeoutMs` (default 5 s), after which the promise
   * resolves anyway and the trace stays queued. It never rejects. `urgent`
   * sends at once without awaiting.
   *
   * @example
   * const trace = tracer.startTrace('nightly-import');
   * try { await importAll(trace); } finally { await trace.end(); }
   */
  end(options?: { status?: Status; urgent?: boolean }): Promise<void> {
    if (this.ended !== undefined) return this.ended;
    if (options?.status) this.rootSpan.setStatus(options.status);
    const endTime = now();
    for (let i = this.spans.length - 1; i >= 0; i--) {
      const span = this.spans[i]!;
      if (!span.isEnded) span.end({ endTime });
    }
    if (!this.rootSpan.isEnded) this.rootSpan.end({ endTime });
    if (!this.sampled || !this.runtime.keepAtEnd(this)) {
      this.ended = RESOLVED;
      return RESOLVED;
    }
    this.ended = this.runtime.deliver(this, options?.urgent === true);
    return this.ended;
  }

  /** True when any recorded span ended in error. */
  hasError(): boolean {
    for (const span of this.spans) if (span.status === 'error') return true;
    return false;
  }

  get spanCount(): number {
    return this.spans.length;
  }

  /**
   * @internal The serialised size of everything this trace holds (spans with
   * their attributes, IO, events; logs; trace attributes), estimated without
   * serialising, for the export queue's byte bound.
   */
  get estimatedBytes(): number {
    let bytes = TRACE_BASE_BYTES + this.rootSpan.name.length + this.serviceName.length;
    bytes += attributesSize(this.ownAttributes) + logsSize(this.logs);
    if (this.ownTags !== undefined) for (const tag of this.ownTags) bytes += tag.length + 3;
    if (this.environment !== undefined) bytes += this.environment.length + 17;
    if (this.sessionId !== undefined) bytes += this.sessionId.length + 15;
    if (this.userId !== undefined) bytes += this.userId.length + 12;
    if (this.referenceId !== undefined) bytes += this.referenceId.length + 17;
    for (const span of this.spans) bytes += span.estimateBytes() + 1;
    return bytes;
  }

  /** The exported shape: the whole trace with its spans (root first) and logs. */
  toJSON(): TraceData {
    const root = this.rootSpan;
    const data: TraceData = {
      schemaVersion: 1,
      id: this.id,
      name: root.name,
      serviceName: this.serviceName,
      status: root.status,
      startTime: root.startTime,
      endTime: root.endTime || now(),
      durationMs: root.durationMs,
      rootSpanId: root.id,
      tags: this.ownTags ?? NO_TAGS,
      attributes: this.ownAttributes ?? NO_ATTRIBUTES,
      spans: this.spans.map((span) => span.toJSON()),
      logs: this.logs ?? NO_LOGS,
      dropped: this.ownDropped ?? NONE_DROPPED,
      sdk: SDK,
    };
    if (this.environment !== undefined) data.environment = this.environment;
    if (this.parent) data.parentSpanId = this.parent.spanId;
    if (this.sessionId !== undefined) data.sessionId = this.sessionId;
    if (this.userId !== undefined) data.userId = this.userId;
    if (this.referenceId !== undefined) data.referenceId = this.referenceId;
    return data;
  }

  /** @internal */
  contextFor(span: Span): SpanContext {
    const context: SpanContext = {
      traceId: this.id,
      spanId: span.id,
      sampled: this.sampled,
      random: this.random,
    };
    if (this.traceState) context.traceState = this.traceState;
    if (this.baggage && this.baggage.size > 0) context.baggage = this.baggage;
    return context;
  }

  /** @internal */
  headersFor(span: Span): Record<string, string> {
    return injectContext({}, this.contextFor(span));
  }

  /** @internal */
  loggerFor(span: Span | undefined): Logger {
    const emit = (level: LogLevel, message: string, fields?: LogFields) =>
      this.addLog(level, message, fields, span);
    return {
      debug: (message, fields) => emit('debug', message, fields),
      info: (message, fields) => emit('info', message, fields),
      warn: (message, fields) => emit('warn', message, fields),
      error: (message, fields) => emit('error', message, fields),
    };
  }

  /** @internal */
  addLog(level: LogLevel, message: string, fields: LogFields | undefined, span?: Span): void {
    if (!this.sampled) return;
    if (this.logs === undefined) this.logs = [];
    if (this.logs.length >= this.limits.maxLogsPerTrace) {
      this.dropped.logs++;
      return;
    }
    const at = span ?? this.currentSpanInTrace() ?? this.rootSpan;
    const record = makeLogRecord(level, message, fields, this.serviceName, this.environment);
    record.traceId = this.id;
    record.spanId = at.id;
    if (record.sessionId === undefined && this.sessionId !== undefined) {
      record.sessionId = this.sessionId;
    }
    if (record.userId === undefined && this.userId !== undefined) record.userId = this.userId;
    this.logs.push(record);
  }

  private currentSpanInTrace(): Span | undefined {
    // Compared by owner rather than instanceof, so a second loaded copy of core still matches.
    const span = activeSpan();
    return span !== undefined && span.trace === this ? span : undefined;
  }
}
