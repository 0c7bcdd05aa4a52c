import { serializeIo } from '../internal/serialize';
import type { Attributes, AttributeValue, ErrorData, LogData, SpanData, TraceData } from '../types';

/** Which part of the data a `mask` call is looking at. */
export interface MaskField {
  /**
   * `input`/`output`: a span's IO (the JSON value); `attribute`: a span, trace or
   * event attribute; `error`: an error's `message` or `stack`; `log`: a log's
   * `message` or one of its attributes.
   */
  kind: 'input' | 'output' | 'attribute' | 'error' | 'log';
  /** The attribute key, or `message`/`stack`. */
  key?: string;
  /** The span the value belongs to, when it belongs to one. */
  spanName?: string;
}

/**
 * Called on every IO value, attribute and log field before it leaves the process.
 * Returns the value to send: the same value, a redacted one, or `undefined` to
 * drop the field. If it throws, the field is replaced by `[mask failed]` and the
 * failure is counted in `tracer.stats().maskErrors`; the app never sees it.
 */
export type Mask = (value: unknown, field: MaskField) => unknown;

/** What a failing mask leaves in place of the value it could not judge. */
export const MASK_FAILED = '[mask failed]';

/** @internal Applies a mask to finished data, counting failures. Never throws. */
export class Masker {
  errors = 0;
  constructor(
    private readonly mask: Mask,
    private readonly maxIoBytes: number,
  ) {}

  /** A masked copy of `trace`; the input is not modified. */
  trace(trace: TraceData): TraceData {
    const masked: TraceData = { ...trace, spans: trace.spans.map((s) => this.span(s)) };
    if (Object.keys(trace.attributes).length > 0) {
      masked.attributes = this.attributes(trace.attributes, undefined);
    }
    if (trace.logs.length > 0) masked.logs = trace.logs.map((log) => this.log(log));
    return masked;
  }

  /** A masked copy of a log record. */
  log(log: LogData): LogData {
    const masked: LogData = { ...log };
    const message = this.call(log.message, { kind: 'log', key: 'message' });
    masked.message = message === undefined ? '' : textOf(message);
    if (log.attributes !== undefined) {
      const attributes: Attributes = {};
      for (const key in log.attributes) {
        const value = this.call(log.attributes[key], { kind: 'log', key });
        if (value !== undefined) attributes[key] = attributeValue(value);
      }
      masked.attributes = attributes;
    }
    return masked;
  }

  private span(span: SpanData): SpanData {
    const spanName = span.name;
    const masked: SpanData = { ...span, attributes: this.attributes(span.attributes, spanName) };
    if (span.input !== undefined) this.io(masked, 'input', span.input, spanName);
    if (span.output !== undefined) this.io(masked, 'output', span.output, spanName);
    if (span.error !== undefined) {
      const error: ErrorData = { ...span.error };
      const message = this.call(error.message, { kind: 'error', key: 'message', spanName });
      error.message = message === undefined ? '' : textOf(message);
      if (error.stack !== undefined) {
        const stack = this.call(error.stack, { kind: 'error', key: 'stack', spanName });
        if (stack === undefined) delete error.stack;
        else error.stack = textOf(stack);
      }
      masked.error = error;
    }
    if (span.statusMessage !== undefined) {
      if (masked.error !== undefined && span.statusMessage === span.error?.message) {
        masked.statusMessage = masked.error.message;
      } else {
        const message = this.call(span.statusMessage, { kind: 'error', key: 'message', spanName });
        if (message === undefined) delete masked.statusMessage;
        else masked.statusMessage = textOf(message);
      }
    }
    if (span.events !== undefined) {
      masked.events = span.events.map((event) =>
        event.attributes === undefined
          ? event
          : { ...event, attributes: this.attributes(event.attributes, spanName) },
      );
    }
    return masked;
  }

  private io(span: SpanData, kind: 'input' | 'output', text: string, spanName: string): void {
    let value: unknown = text;
    let json = false;
    try {
      value = JSON.parse(text);
      json = true;
    } catch {
      // Plain text, or JSON cut by the IO limit: the mask sees the text as it is.
    }
    const masked = this.call(value, { kind, spanName });
    if (masked === undefined) delete span[kind];
    else if (masked !== value) {
      // Written back in the form it came in: JSON stays JSON (strings quoted), text stays text.
      const out = json && typeof masked === 'string' ? JSON.stringify(masked) : masked;
      span[kind] = serializeIo(out, this.maxIoBytes).text;
    }
  }

  private attributes(attributes: Attributes, spanName: string | undefined): Attributes {
    const masked: Attributes = {};
    for (const key in attributes) {
      const value = this.call(attributes[key], { kind: 'attribute', key, spanName });
      if (value !== undefined) masked[key] = attributeValue(value);
    }
    return masked;
  }

  private call(value: unknown, field: MaskField): unknown {
    if (field.spanName === undefined) delete field.spanName;
    try {
      return this.mask(value, field);
    } catch {
      this.errors++;
      return MASK_FAILED;
    }
  }
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return MASK_FAILED;
  }
}

function attributeValue(value: unknown): AttributeValue {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  if (
    Array.isArray(value) &&
    value.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
  ) {
    return value as AttributeValue;
  }
  return textOf(value);
}
