import type { DroppedCounts, SpanData, TraceData } from '../../types';

/**
 * The compact wire form of a trace for the native HTTP format: `TraceData`
 * without what a collector derives from the rest, which is about a third of
 * the bytes, and serialisation time goes with the bytes.
 *
 * Left out of every trace: `schemaVersion` and `sdk` (sent once per batch),
 * `name`, `status`, `startTime`, `endTime` and `durationMs` (the root span's),
 * and `tags`, `attributes`, `logs` when empty and `dropped` when all zero.
 * Left out of every span: `traceId` (the trace's `id`), `durationMs`
 * (`endTime - startTime`) and `attributes` when empty.
 */
export function wireTrace(trace: TraceData): Record<string, unknown> {
  const spans = trace.spans;
  const wireSpans = new Array<Record<string, unknown>>(spans.length);
  for (let i = 0; i < spans.length; i++) wireSpans[i] = wireSpan(spans[i]!);
  const wire: Record<string, unknown> = {
    id: trace.id,
    serviceName: trace.serviceName,
    rootSpanId: trace.rootSpanId,
    spans: wireSpans,
  };
  for (const key of OPTIONAL_TRACE_KEYS) {
    const value = trace[key];
    if (value !== undefined) wire[key] = value;
  }
  if (trace.tags.length > 0) wire.tags = trace.tags;
  if (hasKeys(trace.attributes)) wire.attributes = trace.attributes;
  if (trace.logs.length > 0) wire.logs = trace.logs;
  if (anyDropped(trace.dropped)) wire.dropped = trace.dropped;
  return wire;
}

function wireSpan(span: SpanData): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    spanId: span.spanId,
    parentId: span.parentId,
    name: span.name,
    kind: span.kind,
    status: span.status,
    startTime: span.startTime,
    endTime: span.endTime,
  };
  if (hasKeys(span.attributes)) wire.attributes = span.attributes;
  for (const key of OPTIONAL_SPAN_KEYS) {
    const value = span[key];
    if (value !== undefined) wire[key] = value;
  }
  return wire;
}

const OPTIONAL_TRACE_KEYS = [
  'environment',
  'parentSpanId',
  'sessionId',
  'userId',
  'referenceId',
] as const satisfies readonly (keyof TraceData)[];

const OPTIONAL_SPAN_KEYS = [
  'statusMessage',
  'tags',
  'input',
  'output',
  'error',
  'model',
  'provider',
  'usage',
  'cost',
  'signals',
  'events',
  'links',
  'droppedAttributes',
  'droppedEvents',
] as const satisfies readonly (keyof SpanData)[];

// A field added to TraceData or SpanData fails to compile here until it is
// either sent (listed above) or knowingly derived.
type TraceKeysSent =
  | 'id'
  | 'serviceName'
  | 'rootSpanId'
  | 'spans'
  | 'tags'
  | 'attributes'
  | 'logs'
  | 'dropped'
  | (typeof OPTIONAL_TRACE_KEYS)[number];
type TraceKeysDerived =
  | 'schemaVersion'
  | 'sdk'
  | 'name'
  | 'status'
  | 'startTime'
  | 'endTime'
  | 'durationMs';
type SpanKeysSent =
  | 'spanId'
  | 'parentId'
  | 'name'
  | 'kind'
  | 'status'
  | 'startTime'
  | 'endTime'
  | 'attributes'
  | (typeof OPTIONAL_SPAN_KEYS)[number];
type SpanKeysDerived = 'traceId' | 'durationMs';
const everyTraceKey: Exclude<keyof TraceData, TraceKeysSent | TraceKeysDerived> extends never
  ? true
  : never = true;
const everySpanKey: Exclude<keyof SpanData, SpanKeysSent | SpanKeysDerived> extends never
  ? true
  : never = true;
void everyTraceKey;
void everySpanKey;

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

function anyDropped(dropped: DroppedCounts): boolean {
  for (const key in dropped) if (dropped[key as keyof DroppedCounts] !== 0) return true;
  return false;
}
