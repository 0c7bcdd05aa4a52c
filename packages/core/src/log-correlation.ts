import { activeSpan, isUntraced } from './context/storage';
import type { LogFields } from './log';
import type { Attributes, AttributeValue, LogLevel } from './types';

/** The fields `traceLogFields()` adds to a log line (OpenTelemetry's log correlation names). */
export interface TraceLogFields {
  trace_id?: string;
  span_id?: string;
  /** Two hex digits, as in `traceparent`: `01` sampled, `00` not (plus the W3C random bit). */
  trace_flags?: string;
}

/**
 * `trace_id`, `span_id` and `trace_flags` of the current span, or an empty object
 * outside a trace. Written for pino's `mixin` (it ignores its arguments) and any
 * logger that merges an object into each line.
 *
 * @example const logger = pino({ mixin: traceLogFields });
 */
export function traceLogFields(): TraceLogFields {
  const span = activeSpan();
  // A new object each time: pino merges the line's own fields into what mixin returns.
  if (span === undefined) return {};
  const trace = span.trace;
  const flags = (trace.sampled ? 1 : 0) | (trace.random ? 2 : 0);
  return { trace_id: span.traceId, span_id: span.id, trace_flags: `0${flags}` };
}

/** Options of the winston format `withTraceFields`. */
export interface WithTraceFieldsOptions {
  /** Also record each line written inside a trace as one of the trace's logs. */
  capture?: boolean;
}

/**
 * A winston format transform: adds `trace_id`, `span_id` and `trace_flags` to each
 * line written inside a trace; with `{ capture: true }` the line is also recorded
 * as a log of that trace (level, message, fields). Put it first in the chain.
 * `options` is a `WithTraceFieldsOptions` (typed loosely, as winston passes it).
 *
 * @example
 * const logger = winston.createLogger({
 *   format: winston.format.combine(winston.format(withTraceFields)({ capture: true }), winston.format.json()),
 *   transports: [new winston.transports.Console()],
 * });
 */
export function withTraceFields<T extends object>(info: T, options?: unknown): T {
  try {
    const fields = traceLogFields();
    if (fields.trace_id === undefined) return info;
    const line = info as Record<string, unknown>;
    if ((options as WithTraceFieldsOptions | undefined)?.capture === true) {
      const { level, message, ...rest } = line;
      recordLogLine(level, message, rest);
    }
    line.trace_id = fields.trace_id;
    line.span_id = fields.span_id;
    line.trace_flags = fields.trace_flags;
  } catch {
    // A log line is never lost or broken because of tracing.
  }
  return info;
}

interface PinoLike {
  levels?: { labels?: Record<number, string> };
  bindings?(): Record<string, unknown>;
}

/**
 * A pino `hooks.logMethod`: records each line written inside a trace as one of
 * the trace's logs (level, message, merged fields and child bindings), then
 * writes it as usual.
 *
 * @example const logger = pino({ mixin: traceLogFields, hooks: { logMethod: capturePinoLog } });
 */
export function capturePinoLog(
  this: PinoLike,
  args: unknown[],
  method: (...args: unknown[]) => unknown,
  level: number,
): unknown {
  if (activeSpan() !== undefined) {
    try {
      capturePinoArgs(this, args, level);
    } catch {
      // Capture is best effort; the line itself is always written.
    }
  }
  return method.apply(this, args);
}

function capturePinoArgs(logger: PinoLike, args: unknown[], level: number): void {
  let index = 0;
  let fields: Record<string, unknown> | undefined;
  let error: Error | undefined;
  const first = args[0];
  if (first instanceof Error) {
    error = first;
    index = 1;
  } else if (typeof first === 'object' && first !== null) {
    fields = first as Record<string, unknown>;
    if (fields.err instanceof Error) error = fields.err;
    index = 1;
  }
  const template = args[index];
  let message =
    typeof template === 'string' ? interpolate(template, args, index + 1) : (error?.message ?? '');
  if (typeof template !== 'string' && template !== undefined) message = String(template);
  const bindings = typeof logger.bindings === 'function' ? logger.bindings() : undefined;
  const all = bindings !== undefined ? { ...bindings, ...fields } : fields;
  if (error !== undefined) {
    const withError: Record<string, unknown> = { ...all };
    withError['exception.type'] = error.name;
    withError['exception.message'] = error.message;
    recordLogLine(logger.levels?.labels?.[level] ?? level, message, withError);
    return;
  }
  recordLogLine(logger.levels?.labels?.[level] ?? level, message, all);
}

let recording = false;

/**
 * Records one line of another logger as a log of the current trace: `level` is a
 * pino/winston/syslog level name or a pino level number, `fields` its structured
 * fields (scalars and arrays of scalars are kept). Does nothing outside a trace,
 * inside tracewire's own export calls, or when called from within itself.
 *
 * @example recordLogLine('warn', 'cache miss', { key });
 */
export function recordLogLine(level: unknown, message: unknown, fields?: object): void {
  if (recording) return;
  const span = activeSpan();
  if (span === undefined || !span.trace.sampled || isUntraced()) return;
  recording = true;
  try {
    let attributes: Attributes | undefined;
    if (fields !== undefined && fields !== null) {
      for (const key of Object.keys(fields)) {
        if (key === 'trace_id' || key === 'span_id' || key === 'trace_flags') continue;
        const value = scalar((fields as Record<string, unknown>)[key]);
        if (value === undefined) continue;
        attributes ??= {};
        attributes[key] = value;
      }
    }
    const logFields: LogFields | undefined = attributes ? { attributes } : undefined;
    span.trace.addLog(toLogLevel(level), messageText(message), logFields, span);
  } finally {
    recording = false;
  }
}

function toLogLevel(level: unknown): LogLevel {
  if (typeof level === 'number') {
    if (level >= 50) return 'error';
    if (level >= 40) return 'warn';
    if (level >= 30) return 'info';
    return 'debug';
  }
  switch (String(level).toLowerCase()) {
    case 'error':
    case 'fatal':
    case 'crit':
    case 'alert':
    case 'emerg':
      return 'error';
    case 'warn':
    case 'warning':
      return 'warn';
    case 'info':
    case 'http':
    case 'notice':
      return 'info';
    default:
      return 'debug';
  }
}

function messageText(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message === undefined || message === null) return '';
  if (message instanceof Error) return message.message;
  try {
    return typeof message === 'object' ? JSON.stringify(message) : String(message);
  } catch {
    return String(message);
  }
}

function scalar(value: unknown): AttributeValue {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      if (Array.isArray(value) && value.every(isScalar)) return value as AttributeValue;
      return undefined;
    default:
      return undefined;
  }
}

function isScalar(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}

/** pino's printf-style placeholders (`%s`, `%d`, `%o`, ...), without `node:util`. */
function interpolate(template: string, args: unknown[], from: number): string {
  if (from >= args.length || !template.includes('%')) return template;
  let next = from;
  return template.replace(/%[sdifjoO%]/g, (token) => {
    if (token === '%%') return '%';
    if (next >= args.length) return token;
    const value = args[next++];
    if (token === '%d' || token === '%i') return String(Math.trunc(Number(value)));
    if (token === '%f') return String(Number(value));
    if (token === '%s') return typeof value === 'string' ? value : messageText(value);
    return messageText(value);
  });
}
