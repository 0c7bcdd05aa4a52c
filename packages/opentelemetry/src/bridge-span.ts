import {
  createTraceState,
  type Exception,
  type Link,
  type Attributes as OtelAttributes,
  type AttributeValue as OtelAttributeValue,
  type Span as OtelSpan,
  type SpanContext as OtelSpanContext,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import type { AttributeValue, LinkData, Span } from '@tracewire/core';
import { toEpochMillis } from './internal/time';
import { applySemanticConventions } from './semantic-conventions';

/** Marks a bridge span so any loaded copy of this package (ESM or CJS) finds its tracewire span. */
const TRACEWIRE_SPAN = Symbol.for('tracewire.opentelemetry.span');

/** Each tracewire span's one bridge span, so both APIs hand out the same object. */
const bridges = new WeakMap<Span, BridgeSpan>();

const STATUS_OK = 1;
const STATUS_ERROR = 2;

/**
 * A tracewire span seen through the OpenTelemetry `Span` interface: every call
 * writes to the tracewire span itself, so `trace.getActiveSpan().setAttribute()`
 * inside a tracewire request lands on that request's span.
 */
export class BridgeSpan implements OtelSpan {
  readonly [TRACEWIRE_SPAN]: Span;
  private context: OtelSpanContext | undefined = undefined;
  private exception: Exception | undefined = undefined;

  /**
   * @param span the tracewire span written to
   * @param ownsTrace true when this span started its trace: ending it ends the trace
   * @param mapOnEnd read gen_ai / ai.* attributes into tracewire's LLM fields at end
   */
  constructor(
    span: Span,
    private readonly ownsTrace: boolean,
    private readonly mapOnEnd: boolean,
  ) {
    this[TRACEWIRE_SPAN] = span;
    bridges.set(span, this);
  }

  spanContext(): OtelSpanContext {
    if (this.context === undefined) {
      const span = this[TRACEWIRE_SPAN];
      const trace = span.trace;
      this.context = {
        traceId: span.traceId,
        spanId: span.id,
        // Bit 1 is W3C Level 2's `random`: OpenTelemetry carries the flags as they are.
        traceFlags: (trace.sampled ? 1 : 0) | (trace.random ? 2 : 0),
        isRemote: false,
      };
      if (trace.traceState) this.context.traceState = createTraceState(trace.traceState);
    }
    return this.context;
  }

  setAttribute(key: string, value: OtelAttributeValue): this {
    if (this.isRecording()) this[TRACEWIRE_SPAN].setAttribute(key, toAttributeValue(value));
    return this;
  }

  setAttributes(attributes: OtelAttributes): this {
    if (!this.isRecording() || attributes === null || typeof attributes !== 'object') return this;
    const span = this[TRACEWIRE_SPAN];
    for (const key in attributes) span.setAttribute(key, toAttributeValue(attributes[key]));
    return this;
  }

  addEvent(
    name: string,
    attributesOrStartTime?: OtelAttributes | TimeInput,
    startTime?: TimeInput,
  ): this {
    if (!this.isRecording()) return this;
    let attributes: OtelAttributes | undefined;
    let time = startTime;
    if (isTimeInput(attributesOrStartTime)) time = attributesOrStartTime;
    else attributes = attributesOrStartTime;
    this[TRACEWIRE_SPAN].addEvent(
      String(name),
      attributes ? toAttributes(attributes) : undefined,
      toEpochMillis(time),
    );
    return this;
  }

  addLink(link: Link): this {
    const data = toLinkData(link);
    if (data !== undefined && this.isRecording()) this[TRACEWIRE_SPAN].addLink(data);
    return this;
  }

  addLinks(links: Link[]): this {
    if (Array.isArray(links)) for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this[TRACEWIRE_SPAN].isEnded || status === null || typeof status !== 'object') return this;
    const span = this[TRACEWIRE_SPAN];
    if (status.code === STATUS_OK) span.setStatus('ok');
    else if (status.code === STATUS_ERROR) {
      span.setStatus('error', typeof status.message === 'string' ? status.message : undefined);
      this.adoptException();
    }
    return this;
  }

  updateName(name: string): this {
    if (!this[TRACEWIRE_SPAN].isEnded) this[TRACEWIRE_SPAN].update({ name: String(name) });
    return this;
  }

  end(endTime?: TimeInput): void {
    const span = this[TRACEWIRE_SPAN];
    if (span.isEnded) return;
    try {
      if (span.isRecording && this.mapOnEnd) applySemanticConventions(span);
    } catch {
      // A mapping problem never loses the span.
    }
    span.end({ endTime: toEpochMillis(endTime) });
    if (this.ownsTrace) void span.trace.end();
  }

  isRecording(): boolean {
    const span = this[TRACEWIRE_SPAN];
    return span.isRecording && !span.isEnded;
  }

  /**
   * Records an `exception` event (OpenTelemetry's convention). As in OpenTelemetry
   * it does not change the status; when the span ends in error, the last recorded
   * exception becomes the tracewire span's `error`.
   */
  recordException(exception: Exception, time?: TimeInput): void {
    if (!this.isRecording()) return;
    const attributes: Record<string, AttributeValue> = {};
    if (typeof exception === 'string') {
      attributes['exception.message'] = exception;
    } else if (exception !== null && typeof exception === 'object') {
      const { name, message, stack, code } = exception as Exception & {
        name?: unknown;
        message?: unknown;
        stack?: unknown;
        code?: unknown;
      };
      if (code !== undefined) attributes['exception.type'] = String(code);
      else if (typeof name === 'string') attributes['exception.type'] = name;
      if (typeof message === 'string') attributes['exception.message'] = message;
      if (typeof stack === 'string') attributes['exception.stacktrace'] = stack;
    }
    this.exception = exception;
    this[TRACEWIRE_SPAN].addEvent('exception', attributes, toEpochMillis(time));
    this.adoptException();
  }

  /** In error, the last recorded exception becomes the tracewire span's `error`. */
  private adoptException(): void {
    const span = this[TRACEWIRE_SPAN];
    if (span.status !== 'error' || this.exception === undefined || !span.isRecording) return;
    span.error = errorFrom(this.exception);
  }
}

/** The OpenTelemetry view of a tracewire span: the bridge span that made it, or a new view. */
export function otelSpanFor(span: Span): BridgeSpan {
  return bridges.get(span) ?? new BridgeSpan(span, false, false);
}

/** The tracewire span behind an OpenTelemetry span, if it is a bridge span. */
export function tracewireSpanOf(span: unknown): Span | undefined {
  if (span === null || typeof span !== 'object') return undefined;
  return (span as { [TRACEWIRE_SPAN]?: Span })[TRACEWIRE_SPAN];
}

export function toAttributes(attributes: OtelAttributes): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const key in attributes) out[key] = toAttributeValue(attributes[key]);
  return out;
}

export function toLinkData(link: Link): LinkData | undefined {
  const context = link?.context;
  if (context === undefined || context === null) return undefined;
  const { traceId, spanId } = context;
  if (typeof traceId !== 'string' || typeof spanId !== 'string') return undefined;
  const data: LinkData = { traceId, spanId };
  if (link.attributes) data.attributes = toAttributes(link.attributes);
  return data;
}

/** OpenTelemetry allows `null`/`undefined` inside arrays; tracewire keeps scalars only. */
function toAttributeValue(value: OtelAttributeValue | undefined): AttributeValue {
  if (Array.isArray(value)) {
    return (value as unknown[]).filter(
      (v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
    ) as AttributeValue;
  }
  return value as AttributeValue;
}

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || Array.isArray(value);
}

function errorFrom(exception: Exception): Span['error'] {
  if (typeof exception === 'string') return { message: exception, type: 'Error' };
  const e = exception as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown };
  const error: NonNullable<Span['error']> = {
    message: typeof e.message === 'string' ? e.message : String(e.message ?? ''),
    type: typeof e.name === 'string' ? e.name : e.code !== undefined ? String(e.code) : 'Error',
  };
  if (typeof e.stack === 'string') error.stack = e.stack;
  return error;
}
