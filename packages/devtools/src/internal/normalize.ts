import type {
  Attributes,
  AttributeValue,
  DroppedCounts,
  ErrorData,
  EventData,
  LinkData,
  LogData,
  LogLevel,
  SignalData,
  SpanData,
  SpanKind,
  Status,
  TraceData,
  Usage,
} from '@tracewire/core';
import { SPAN_KINDS as ALL_SPAN_KINDS, STATUSES as ALL_STATUSES } from '@tracewire/core';
import type { NativeBatch } from '../types';

/**
 * Collectors take data from any process on the machine, so every trace, span
 * and log is rebuilt field by field from what was sent: the store, the
 * terminal renderer and the page then only ever see well-typed values.
 */

/** Input the collector refuses; the message goes back to the sender with a 400. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

type Loose = Record<string, unknown>;

const SPAN_KINDS: ReadonlySet<string> = new Set<SpanKind>(ALL_SPAN_KINDS);
const STATUSES: ReadonlySet<string> = new Set<Status>(ALL_STATUSES);
const LEVELS = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);
const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const SPAN_ID = /^[0-9a-fA-F]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
/** Beyond this a string is cut: a megabyte in a span name helps nobody reading it. */
const MAX_NAME_CHARS = 2_000;
export const UNKNOWN_SERVICE = 'unknown_service';

export interface NormalizedBatch extends NativeBatch {
  /** Traces and logs that were not usable and were skipped. */
  rejected: number;
}

/**
 * Reads a parsed native export body (`{ schemaVersion: 1, traces, logs }`).
 * Unusable traces and logs are skipped and counted; a body that is not a
 * batch at all throws a PayloadError.
 */
export function normalizeBatch(body: unknown): NormalizedBatch {
  if (!isObject(body) || Array.isArray(body)) {
    throw new PayloadError(
      'expected a JSON object { "schemaVersion": 1, "traces": [...], "logs": [...] }',
    );
  }
  if (body.schemaVersion !== undefined && body.schemaVersion !== 1) {
    throw new PayloadError(
      `unsupported schemaVersion ${JSON.stringify(body.schemaVersion)}; this collector reads schemaVersion 1`,
    );
  }
  if (body.traces === undefined && body.logs === undefined) {
    throw new PayloadError(
      'expected "traces" and/or "logs" arrays ({ "schemaVersion": 1, "traces": [...], "logs": [...] })',
    );
  }
  if (body.traces !== undefined && !Array.isArray(body.traces)) {
    throw new PayloadError('"traces" must be an array of traces');
  }
  if (body.logs !== undefined && !Array.isArray(body.logs)) {
    throw new PayloadError('"logs" must be an array of log records');
  }
  const batch: NormalizedBatch = { traces: [], logs: [], rejected: 0 };
  for (const raw of (body.traces as unknown[] | undefined) ?? []) {
    const trace = normalizeTrace(raw, body.sdk, body.serviceName, keyList(body.keys));
    if (trace) batch.traces.push(trace);
    else batch.rejected++;
  }
  for (const raw of (body.logs as unknown[] | undefined) ?? []) {
    const log = normalizeLog(raw);
    if (log) batch.logs.push(log);
    else batch.rejected++;
  }
  return batch;
}

/** A well-formed copy of a trace, its root span first, or undefined when it has no usable id or span. */
export function normalizeTrace(
  raw: unknown,
  batchSdk?: unknown,
  batchService?: unknown,
  batchKeys: readonly string[] = [],
): TraceData | undefined {
  if (!isObject(raw)) return undefined;
  const id = traceId(raw.id);
  if (id === undefined) return undefined;
  // The compact wire form's one epoch time; its spans count microseconds from it.
  const base = finite(raw.startTime);
  const spans: SpanData[] = [];
  const seen = new Set<string>();
  for (const rawSpan of list(raw.spans)) {
    const span = normalizeSpan(rawSpan, id, batchKeys, base);
    if (span && !seen.has(span.spanId)) {
      seen.add(span.spanId);
      spans.push(span);
    }
  }
  if (spans.length === 0) return undefined;

  const declaredRoot = spanId(raw.rootSpanId);
  let rootIndex =
    declaredRoot === undefined ? -1 : spans.findIndex((s) => s.spanId === declaredRoot);
  if (rootIndex < 0)
    rootIndex = Math.max(
      0,
      spans.findIndex((s) => !hasParentIn(s, seen)),
    );
  const root = spans[rootIndex]!;
  if (rootIndex > 0) {
    spans.splice(rootIndex, 1);
    spans.unshift(root);
  }

  let startTime = finite(raw.startTime) ?? root.startTime;
  let endTime = finite(raw.endTime) ?? root.endTime;
  for (const span of spans) {
    startTime = Math.min(startTime, span.startTime);
    endTime = Math.max(endTime, span.endTime);
  }
  // The compact wire form names the service once per batch unless a trace differs.
  const serviceName = text(raw.serviceName) || text(batchService) || UNKNOWN_SERVICE;
  const trace: TraceData = {
    schemaVersion: 1,
    id,
    name: text(raw.name) ?? root.name,
    serviceName,
    status: status(raw.status) ?? root.status,
    startTime,
    endTime,
    durationMs: endTime - startTime,
    rootSpanId: root.spanId,
    tags: strings(raw.tags) ?? [],
    attributes: attributes(raw.attributes),
    spans,
    logs: [],
    dropped: dropped(raw.dropped),
    sdk: {
      name: '@tracewire/core',
      // The compact wire form names the SDK once per batch, not per trace.
      version: sdkVersion(raw.sdk) ?? sdkVersion(batchSdk) ?? '',
    },
  };
  const environment = text(raw.environment);
  if (environment) trace.environment = environment;
  const parentSpanId = spanId(raw.parentSpanId) ?? root.parentId ?? undefined;
  if (parentSpanId) trace.parentSpanId = parentSpanId;
  for (const key of ['sessionId', 'userId', 'referenceId'] as const) {
    const value = text(raw[key]);
    if (value) trace[key] = value;
  }
  for (const rawLog of list(raw.logs)) {
    const log = normalizeLog(rawLog, serviceName);
    if (!log) continue;
    log.traceId ??= id;
    trace.logs.push(log);
  }
  return trace;
}

function sdkVersion(sdk: unknown): string | undefined {
  return isObject(sdk) ? text(sdk.version) : undefined;
}

function hasParentIn(span: SpanData, ids: ReadonlySet<string>): boolean {
  return span.parentId !== null && span.parentId !== span.spanId && ids.has(span.parentId);
}

/** A compact span time: microseconds after the trace's `startTime`. */
function afterBase(micros: unknown, base: number | undefined): number | undefined {
  const offset = finite(micros);
  return offset === undefined || base === undefined ? undefined : base + offset / 1000;
}

/** The batch's attribute keys, for spans' `attrs`; anything but a list of strings counts as none. */
function keyList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((key) => (typeof key === 'string' ? key : '')) : [];
}

/** A span's attributes: the `attributes` object, or the compact form's `attrs` pairs into `keys`. */
function spanAttributes(raw: Loose, keys: readonly string[]): Attributes {
  if (!Array.isArray(raw.attrs)) return attributes(raw.attributes);
  const pairs: unknown[] = raw.attrs;
  const named: Loose = Object.create(null);
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const index: unknown = pairs[i];
    const key = Number.isInteger(index) ? keys[index as number] : undefined;
    if (key) named[key] = pairs[i + 1];
  }
  return attributes(named);
}

function normalizeSpan(
  raw: unknown,
  trace: string,
  keys: readonly string[],
  base: number | undefined,
): SpanData | undefined {
  if (!isObject(raw)) return undefined;
  const id = spanId(raw.spanId);
  const start = finite(raw.startTime) ?? afterBase(raw.start, base);
  if (id === undefined || start === undefined) return undefined;
  const declaredEnd = finite(raw.endTime) ?? afterBase(raw.end, base);
  const declaredDuration = finite(raw.durationMs);
  const end = Math.max(
    start,
    declaredEnd ?? (declaredDuration === undefined ? start : start + declaredDuration),
  );
  const span: SpanData = {
    traceId: trace,
    spanId: id,
    parentId: spanId(raw.parentId) ?? null,
    name: text(raw.name) ?? '',
    kind: SPAN_KINDS.has(raw.kind as SpanKind) ? (raw.kind as SpanKind) : 'internal',
    status: status(raw.status) ?? 'unset',
    startTime: start,
    endTime: end,
    durationMs: end - start,
    attributes: spanAttributes(raw, keys),
  };
  if (span.parentId === id) span.parentId = null;
  const statusMessage = longText(raw.statusMessage);
  if (statusMessage !== undefined) span.statusMessage = statusMessage;
  const tags = strings(raw.tags);
  if (tags) span.tags = tags;
  const input = ioText(raw.input);
  if (input !== undefined) span.input = input;
  const output = ioText(raw.output);
  if (output !== undefined) span.output = output;
  const error = errorData(raw.error);
  if (error) span.error = error;
  const model = text(raw.model);
  if (model) span.model = model;
  const provider = text(raw.provider);
  if (provider) span.provider = provider;
  const usage = usageData(raw.usage);
  if (usage) span.usage = usage;
  const cost = finite(raw.cost);
  if (cost !== undefined) span.cost = cost;
  const signals = list(raw.signals).flatMap((s) => signal(s) ?? []);
  if (signals.length > 0) span.signals = signals;
  const events = list(raw.events).flatMap((e) => event(e) ?? []);
  if (events.length > 0) span.events = events;
  const links = list(raw.links).flatMap((l) => link(l) ?? []);
  if (links.length > 0) span.links = links;
  const droppedAttributes = count(raw.droppedAttributes);
  if (droppedAttributes > 0) span.droppedAttributes = droppedAttributes;
  const droppedEvents = count(raw.droppedEvents);
  if (droppedEvents > 0) span.droppedEvents = droppedEvents;
  return span;
}

/** A well-formed copy of a log record, or undefined when it has no message. */
export function normalizeLog(raw: unknown, fallbackService = UNKNOWN_SERVICE): LogData | undefined {
  if (!isObject(raw)) return undefined;
  const message =
    longText(raw.message) ?? (raw.message === undefined ? undefined : json(raw.message));
  if (message === undefined) return undefined;
  const log: LogData = {
    level: LEVELS.has(raw.level as LogLevel) ? (raw.level as LogLevel) : 'info',
    message,
    time: finite(raw.time) ?? Date.now(),
    serviceName: text(raw.serviceName) || fallbackService,
  };
  const attrs = attributes(raw.attributes);
  if (Object.keys(attrs).length > 0) log.attributes = attrs;
  const trace = traceId(raw.traceId);
  if (trace) log.traceId = trace;
  const span = spanId(raw.spanId);
  if (span) log.spanId = span;
  if (raw.type === 'log' || raw.type === 'analytics') log.type = raw.type;
  for (const key of ['eventType', 'userId', 'sessionId', 'environment'] as const) {
    const value = text(raw[key]);
    if (value) log[key] = value;
  }
  return log;
}

// --- values ---------------------------------------------------------------

export function isObject(value: unknown): value is Loose {
  return value !== null && typeof value === 'object';
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function traceId(value: unknown): string | undefined {
  if (typeof value !== 'string' || !TRACE_ID.test(value)) return undefined;
  const id = value.toLowerCase();
  return id === ZERO_TRACE_ID ? undefined : id;
}

export function spanId(value: unknown): string | undefined {
  if (typeof value !== 'string' || !SPAN_ID.test(value)) return undefined;
  const id = value.toLowerCase();
  return id === ZERO_SPAN_ID ? undefined : id;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function count(value: unknown): number {
  const n = finite(value);
  return n !== undefined && n > 0 ? Math.floor(n) : 0;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, MAX_NAME_CHARS) : undefined;
}

/** Messages and stacks are longer than names, but still bounded. */
function longText(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, 64 * 1024) : undefined;
}

function json(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Span input/output is JSON text; a sender that put the value itself is forgiven. */
function ioText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : json(value);
}

function status(value: unknown): Status | undefined {
  return STATUSES.has(value as Status) ? (value as Status) : undefined;
}

function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.slice(0, MAX_NAME_CHARS));
}

function scalar(value: unknown): AttributeValue | undefined {
  if (typeof value === 'string') return value.slice(0, 64 * 1024);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  return undefined;
}

export function attributes(value: unknown): Attributes {
  const out: Attributes = {};
  if (!isObject(value) || Array.isArray(value)) return out;
  for (const key of Object.keys(value)) {
    const raw = value[key];
    if (Array.isArray(raw)) {
      out[key] = raw.flatMap((v) => {
        const s = scalar(v);
        return s === undefined || s === null || Array.isArray(s) ? [] : [s];
      });
      continue;
    }
    const s = scalar(raw);
    if (s !== undefined) out[key] = s;
  }
  return out;
}

function errorData(value: unknown): ErrorData | undefined {
  if (!isObject(value)) return undefined;
  const message = longText(value.message) ?? '';
  const type = text(value.type) || 'Error';
  const error: ErrorData = { message, type };
  const stack = longText(value.stack);
  if (stack) error.stack = stack;
  return error;
}

function usageData(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const usage: Usage = {};
  for (const key of ['inputTokens', 'outputTokens', 'totalTokens'] as const) {
    const n = finite(value[key]);
    if (n !== undefined) usage[key] = n;
  }
  if (Object.keys(usage).length === 0) return undefined;
  if (usage.totalTokens === undefined) {
    usage.totalTokens = (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
  }
  return usage;
}

function signal(value: unknown): SignalData | undefined {
  if (!isObject(value)) return undefined;
  const name = text(value.name);
  const v = value.value;
  if (!name || !(typeof v === 'boolean' || finite(v) !== undefined)) return undefined;
  return {
    name,
    value: v as number | boolean,
    type: typeof v === 'boolean' ? 'boolean' : 'numeric',
    time: finite(value.time) ?? 0,
  };
}

function event(value: unknown): EventData | undefined {
  if (!isObject(value)) return undefined;
  const name = text(value.name);
  const time = finite(value.time);
  if (name === undefined || time === undefined) return undefined;
  const out: EventData = { name, time };
  const attrs = attributes(value.attributes);
  if (Object.keys(attrs).length > 0) out.attributes = attrs;
  return out;
}

function link(value: unknown): LinkData | undefined {
  if (!isObject(value)) return undefined;
  const trace = traceId(value.traceId);
  const span = spanId(value.spanId);
  if (!trace || !span) return undefined;
  const out: LinkData = { traceId: trace, spanId: span };
  const attrs = attributes(value.attributes);
  if (Object.keys(attrs).length > 0) out.attributes = attrs;
  return out;
}

function dropped(value: unknown): DroppedCounts {
  const src = isObject(value) ? value : {};
  return {
    spans: count(src.spans),
    attributes: count(src.attributes),
    truncatedAttributes: count(src.truncatedAttributes),
    events: count(src.events),
    logs: count(src.logs),
    truncatedIo: count(src.truncatedIo),
  };
}
