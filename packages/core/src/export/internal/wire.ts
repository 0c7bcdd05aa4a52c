import type { Attributes, DroppedCounts, ExportBatch, SpanData, TraceData } from '../../types';
import { VERSION } from '../../version';

const SDK = { name: '@tracewire/core', version: VERSION };

/** A batch as the native HTTP exporter sends it: JSON text of the compact form. */
export function encodeBatch(batch: ExportBatch, resource?: Attributes): string {
  const { serviceName, keys, traces } = wireBatch(batch.traces);
  const payload =
    resource === undefined
      ? { schemaVersion: 1, sdk: SDK, serviceName, keys, traces, logs: batch.logs }
      : { schemaVersion: 1, sdk: SDK, serviceName, keys, resource, traces, logs: batch.logs };
  return JSON.stringify(payload);
}

/** The batch-level parts of the compact wire form, and its traces. */
export interface WireBatch {
  /** The first trace's service; a trace names its own only when it differs. */
  serviceName: string | undefined;
  /** Span attribute keys, each once; spans refer to them by index (`attrs`). */
  keys: string[];
  traces: Record<string, unknown>[];
}

/**
 * The compact wire form of a batch of traces for the native HTTP format:
 * `TraceData` without what a collector derives or reads once per batch.
 *
 * Left out of every trace: `schemaVersion` and `sdk` (sent once per batch),
 * `serviceName` when it is the batch's, `rootSpanId` when the root is the
 * first span (as it always is from `Trace.toJSON()`), `name`, `status`,
 * `endTime` and `durationMs` (the root span's), and `tags`,
 * `attributes`, `logs` when empty and `dropped` when all zero.
 * Left out of every span: `traceId` (the trace's `id`), `durationMs`
 * (`endTime - startTime`), and the defaults: `parentId` when null, `kind`
 * when `internal`, `status` when `unset`. The trace carries one epoch time,
 * `startTime` (its first span's start), and each span its `start` and `end` as
 * whole microseconds after it. A span's attributes travel as
 * `attrs`, a flat `[keyIndex, value, ...]` list into the batch's `keys`, and
 * only when it has any: the semantic-convention keys of a request span are a
 * third of its bytes, and the same in every trace.
 *
 * Bytes are what export costs: encoding and sending a trace is most of what
 * tracing costs a fast server, and both go with its size.
 */
export function wireBatch(traces: readonly TraceData[]): WireBatch {
  const batch: WireBatch = {
    serviceName: traces[0]?.serviceName,
    keys: [],
    traces: new Array(traces.length),
  };
  const keyIndex = new Map<string, number>();
  for (let i = 0; i < traces.length; i++) batch.traces[i] = wireTrace(traces[i]!, batch, keyIndex);
  return batch;
}

function wireTrace(
  trace: TraceData,
  batch: WireBatch,
  keyIndex: Map<string, number>,
): Record<string, unknown> {
  const spans = trace.spans;
  const base = spans[0]?.startTime ?? trace.startTime;
  const wireSpans = new Array<Record<string, unknown>>(spans.length);
  for (let i = 0; i < spans.length; i++) {
    wireSpans[i] = wireSpan(spans[i]!, base, batch.keys, keyIndex);
  }
  const wire: Record<string, unknown> = { id: trace.id, startTime: base };
  if (trace.serviceName !== batch.serviceName) wire.serviceName = trace.serviceName;
  if (spans[0]?.spanId !== trace.rootSpanId) wire.rootSpanId = trace.rootSpanId;
  wire.spans = wireSpans;
  // Named reads, not a loop over the key names: a loop's `trace[key]` is a
  // megamorphic keyed load, measured at a tenth of the instructions an
  // exported request costs.
  if (trace.environment !== undefined) wire.environment = trace.environment;
  if (trace.parentSpanId !== undefined) wire.parentSpanId = trace.parentSpanId;
  if (trace.sessionId !== undefined) wire.sessionId = trace.sessionId;
  if (trace.userId !== undefined) wire.userId = trace.userId;
  if (trace.referenceId !== undefined) wire.referenceId = trace.referenceId;
  if (trace.tags.length > 0) wire.tags = trace.tags;
  if (hasKeys(trace.attributes)) wire.attributes = trace.attributes;
  if (trace.logs.length > 0) wire.logs = trace.logs;
  if (anyDropped(trace.dropped)) wire.dropped = trace.dropped;
  return wire;
}

function wireSpan(
  span: SpanData,
  base: number,
  keys: string[],
  keyIndex: Map<string, number>,
): Record<string, unknown> {
  const wire: Record<string, unknown> = { spanId: span.spanId };
  if (span.parentId !== null) wire.parentId = span.parentId;
  wire.name = span.name;
  if (span.kind !== 'internal') wire.kind = span.kind;
  if (span.status !== 'unset') wire.status = span.status;
  wire.start = micros(span.startTime - base);
  wire.end = micros(span.endTime - base);
  const attrs = indexedAttributes(span.attributes, keys, keyIndex);
  if (attrs !== undefined) wire.attrs = attrs;
  if (span.statusMessage !== undefined) wire.statusMessage = span.statusMessage;
  if (span.tags !== undefined) wire.tags = span.tags;
  if (span.input !== undefined) wire.input = span.input;
  if (span.output !== undefined) wire.output = span.output;
  if (span.error !== undefined) wire.error = span.error;
  if (span.model !== undefined) wire.model = span.model;
  if (span.provider !== undefined) wire.provider = span.provider;
  if (span.usage !== undefined) wire.usage = span.usage;
  if (span.cost !== undefined) wire.cost = span.cost;
  if (span.signals !== undefined) wire.signals = span.signals;
  if (span.events !== undefined) wire.events = span.events;
  if (span.links !== undefined) wire.links = span.links;
  if (span.droppedAttributes !== undefined) wire.droppedAttributes = span.droppedAttributes;
  if (span.droppedEvents !== undefined) wire.droppedEvents = span.droppedEvents;
  return wire;
}

/**
 * Whole microseconds: small integers print several times faster than the
 * fractional epoch milliseconds they replace, and take a third of the bytes.
 */
function micros(ms: number): number {
  return Math.round(ms * 1000);
}

/** `[keyIndex, value, ...]`, leaving out what JSON.stringify leaves out of an object. */
function indexedAttributes(
  attributes: TraceData['attributes'],
  keys: string[],
  keyIndex: Map<string, number>,
): unknown[] | undefined {
  let attrs: unknown[] | undefined;
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    let index = keyIndex.get(key);
    if (index === undefined) {
      index = keys.length;
      keys.push(key);
      keyIndex.set(key, index);
    }
    if (attrs === undefined) attrs = [index, value];
    else attrs.push(index, value);
  }
  return attrs;
}

// What wireTrace and wireSpan copy when present, by name.
type OptionalTraceKeys = 'environment' | 'parentSpanId' | 'sessionId' | 'userId' | 'referenceId';
type OptionalSpanKeys =
  | 'statusMessage'
  | 'tags'
  | 'input'
  | 'output'
  | 'error'
  | 'model'
  | 'provider'
  | 'usage'
  | 'cost'
  | 'signals'
  | 'events'
  | 'links'
  | 'droppedAttributes'
  | 'droppedEvents';

// A field added to TraceData or SpanData fails to compile here until it is
// either sent (listed above, and copied by wireTrace or wireSpan) or knowingly derived.
type TraceKeysSent =
  | 'id'
  | 'serviceName'
  | 'rootSpanId'
  | 'spans'
  | 'tags'
  | 'attributes'
  | 'logs'
  | 'dropped'
  | OptionalTraceKeys;
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
  | OptionalSpanKeys;
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
