import { now } from './internal/clock';
import { newSpanId, newTraceId } from './internal/ids';
import { noneDropped } from './internal/limits';
import { errorData, serializeIo } from './internal/serialize';
import { computeCost } from './llm/cost';
import type { PriceTable } from './llm/prices';
import { normalizeUsage } from './span';
import type { Attributes, SpanData, SpanKind, Status, TraceData, Usage } from './types';
import { VERSION } from './version';

/** A point in time: epoch milliseconds, a `Date`, or an ISO 8601 string. */
export type TimeInput = number | Date | string;

/**
 * Token usage as `record()` accepts it: tracewire's own keys, or the snake_case
 * keys of the seed SDKs and provider APIs (`input_tokens`, `prompt_tokens`, ...).
 */
export type RecordedUsage = Usage & {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  cached_input_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
  reasoning_tokens?: number;
};

/** One finished operation recorded on its own (`tracer.record()`). */
export interface RecordedEvent {
  name: string;
  kind?: SpanKind;
  traceId?: string;
  spanId?: string;
  parentId?: string | null;
  startTime?: TimeInput;
  endTime?: TimeInput;
  durationMs?: number;
  status?: Status;
  attributes?: Attributes;
  tags?: string[];
  input?: unknown;
  output?: unknown;
  error?: unknown;
  model?: string;
  provider?: string;
  usage?: RecordedUsage;
  /** US dollars; computed from the price table when absent and `model` and `usage` are known. */
  cost?: number;
  sessionId?: string;
  userId?: string;
}

/** The ids a recorded event was given. */
export interface RecordedIds {
  traceId: string;
  spanId: string;
}

/** @internal What building a recorded trace needs from its tracer. */
export interface RecordContext {
  serviceName: string;
  environment: string | undefined;
  maxIoBytes: number;
  prices: PriceTable;
}

/**
 * @internal Builds the one-span trace of a recorded event. Throws a TypeError
 * naming the field when a time or duration is not one `record()` accepts.
 */
export function recordedTrace(event: RecordedEvent, context: RecordContext): TraceData {
  if (event === null || typeof event !== 'object' || typeof event.name !== 'string') {
    throw new TypeError(
      "tracewire: record() needs an event with a name, e.g. record({ name: 'openai.chat' }).",
    );
  }
  const start = toEpochMs(event.startTime, 'startTime');
  const end = toEpochMs(event.endTime, 'endTime');
  const duration = event.durationMs;
  if (
    duration !== undefined &&
    !(typeof duration === 'number' && Number.isFinite(duration) && duration >= 0)
  ) {
    throw new TypeError(
      `tracewire: record() durationMs must be a non-negative number of milliseconds; got ${describe(duration)}.`,
    );
  }
  const endTime = end ?? (start !== undefined && duration !== undefined ? start + duration : now());
  const startTime = start ?? endTime - (duration ?? 0);
  if (endTime < startTime) {
    throw new TypeError('tracewire: record() endTime is before startTime.');
  }
  const traceId = event.traceId ?? newTraceId(Math.floor(startTime));
  const status: Status = event.status ?? (event.error !== undefined ? 'error' : 'ok');
  const span: SpanData = {
    traceId,
    spanId: event.spanId ?? newSpanId(),
    parentId: event.parentId ?? null,
    name: event.name,
    kind: event.kind ?? 'internal',
    status,
    startTime,
    endTime,
    durationMs: endTime - startTime,
    attributes: { ...event.attributes },
  };
  const io = (value: unknown) =>
    serializeIo(typeof value === 'string' ? JSON.stringify(value) : value, context.maxIoBytes).text;
  if (event.tags) span.tags = event.tags;
  if (event.input !== undefined) span.input = io(event.input);
  if (event.output !== undefined) span.output = io(event.output);
  if (event.error !== undefined) {
    span.error = errorData(event.error);
    span.statusMessage = span.error.message;
  }
  if (event.model !== undefined) span.model = event.model;
  if (event.provider !== undefined) span.provider = event.provider;
  const usage = event.usage ? recordedUsage(event.usage) : undefined;
  if (usage !== undefined) span.usage = usage;
  const cost =
    event.cost ??
    (usage !== undefined && event.model !== undefined
      ? computeCost(event.model, usage, context.prices)
      : undefined);
  if (cost !== undefined) span.cost = cost;
  const data: TraceData = {
    schemaVersion: 1,
    id: traceId,
    name: event.name,
    serviceName: context.serviceName,
    status,
    startTime,
    endTime,
    durationMs: endTime - startTime,
    rootSpanId: span.spanId,
    tags: event.tags ?? [],
    attributes: {},
    spans: [span],
    logs: [],
    dropped: noneDropped(),
    sdk: { name: '@tracewire/core', version: VERSION },
  };
  if (context.environment !== undefined) data.environment = context.environment;
  if (event.parentId) data.parentSpanId = event.parentId;
  if (event.sessionId !== undefined) data.sessionId = event.sessionId;
  if (event.userId !== undefined) data.userId = event.userId;
  return data;
}

/** Epoch milliseconds from a number, a Date or an ISO 8601 string; throws on anything else. */
function toEpochMs(value: TimeInput | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  let ms = Number.NaN;
  if (typeof value === 'number') ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string' && ISO_8601.test(value)) ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new TypeError(
      `tracewire: record() ${field} must be epoch milliseconds, a Date or an ISO 8601 string (e.g. '2025-01-31T12:00:00.000Z'); got ${describe(value)}.`,
    );
  }
  return ms;
}

// A date, optionally with a time and zone: what `Date.parse` reads the same everywhere.
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function recordedUsage(usage: RecordedUsage): Usage | undefined {
  if (typeof usage !== 'object') return undefined;
  const pick = (...values: unknown[]) => {
    for (const value of values) {
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
    }
    return undefined;
  };
  const merged: Usage = {};
  const set = (key: keyof Usage, value: number | undefined) => {
    if (value !== undefined) merged[key] = value;
  };
  set('inputTokens', pick(usage.inputTokens, usage.input_tokens, usage.prompt_tokens));
  set('outputTokens', pick(usage.outputTokens, usage.output_tokens, usage.completion_tokens));
  set('totalTokens', pick(usage.totalTokens, usage.total_tokens));
  set(
    'cachedInputTokens',
    pick(usage.cachedInputTokens, usage.cached_input_tokens, usage.cache_read_input_tokens),
  );
  set('cacheWriteTokens', pick(usage.cacheWriteTokens, usage.cache_creation_input_tokens));
  set('reasoningTokens', pick(usage.reasoningTokens, usage.reasoning_tokens));
  return Object.keys(merged).length > 0 ? normalizeUsage(merged) : undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (value instanceof Date) return 'an invalid Date';
  if (value === null) return 'null';
  return typeof value === 'number' ? String(value) : `a ${typeof value}`;
}
