/*
 * OTLP/HTTP protobuf bodies written field by field from the OTLP/JSON shape
 * (`toOtlpTraces`, `toOtlpLogs`) with `ProtoWriter`, into one buffer reused
 * between batches. Field numbers are opentelemetry-proto v1's (frozen); the tests
 * decode these bytes with the code OpenTelemetry generated from it. Why this and
 * not protobufjs: see bench/README.md, "OTLP encoding".
 */
import type {
  OtlpAnyValue,
  OtlpInstrumentationScope,
  OtlpKeyValue,
  OtlpLogRecord,
  OtlpLogsRequest,
  OtlpResource,
  OtlpSpan,
  OtlpTracesRequest,
} from '../otlp-types';
import { ProtoWriter } from './proto-writer';

const writer = new ProtoWriter();

/** An `ExportTraceServiceRequest` as protobuf bytes. */
export function encodeTraces(request: OtlpTracesRequest): Uint8Array {
  const w = writer;
  w.reset();
  for (const rs of request.resourceSpans) {
    const resourceSpans = w.begin(1);
    resource(w, 1, rs.resource);
    for (const ss of rs.scopeSpans) {
      const scopeSpans = w.begin(2);
      scope(w, 1, ss.scope);
      for (const s of ss.spans) span(w, s);
      if (ss.schemaUrl !== undefined) w.string(3, ss.schemaUrl);
      w.end(scopeSpans);
    }
    if (rs.schemaUrl !== undefined) w.string(3, rs.schemaUrl);
    w.end(resourceSpans);
  }
  return w.finish();
}

/** An `ExportLogsServiceRequest` as protobuf bytes. */
export function encodeLogs(request: OtlpLogsRequest): Uint8Array {
  const w = writer;
  w.reset();
  for (const rl of request.resourceLogs) {
    const resourceLogs = w.begin(1);
    resource(w, 1, rl.resource);
    for (const sl of rl.scopeLogs) {
      const scopeLogs = w.begin(2);
      scope(w, 1, sl.scope);
      for (const record of sl.logRecords) logRecord(w, record);
      if (sl.schemaUrl !== undefined) w.string(3, sl.schemaUrl);
      w.end(scopeLogs);
    }
    if (rl.schemaUrl !== undefined) w.string(3, rl.schemaUrl);
    w.end(resourceLogs);
  }
  return w.finish();
}

// opentelemetry.proto.trace.v1.Span
function span(w: ProtoWriter, s: OtlpSpan): void {
  const mark = w.begin(2);
  w.hex(1, s.traceId);
  w.hex(2, s.spanId);
  if (s.traceState !== undefined) w.string(3, s.traceState);
  if (s.parentSpanId !== undefined) w.hex(4, s.parentSpanId);
  w.string(5, s.name);
  w.int32(6, s.kind);
  w.fixed64(7, s.startTimeUnixNano);
  w.fixed64(8, s.endTimeUnixNano);
  keyValues(w, 9, s.attributes);
  if (s.droppedAttributesCount !== undefined) w.uint32(10, s.droppedAttributesCount);
  if (s.events !== undefined) {
    for (const event of s.events) {
      const e = w.begin(11);
      w.fixed64(1, event.timeUnixNano);
      w.string(2, event.name);
      keyValues(w, 3, event.attributes);
      if (event.droppedAttributesCount !== undefined) w.uint32(4, event.droppedAttributesCount);
      w.end(e);
    }
  }
  if (s.droppedEventsCount !== undefined) w.uint32(12, s.droppedEventsCount);
  if (s.links !== undefined) {
    for (const link of s.links) {
      const l = w.begin(13);
      w.hex(1, link.traceId);
      w.hex(2, link.spanId);
      if (link.traceState !== undefined) w.string(3, link.traceState);
      keyValues(w, 4, link.attributes);
      if (link.droppedAttributesCount !== undefined) w.uint32(5, link.droppedAttributesCount);
      if (link.flags !== undefined) w.fixed32(6, link.flags);
      w.end(l);
    }
  }
  if (s.droppedLinksCount !== undefined) w.uint32(14, s.droppedLinksCount);
  const status = w.begin(15);
  if (s.status.message !== undefined) w.string(2, s.status.message);
  if (s.status.code !== undefined) w.int32(3, s.status.code);
  w.end(status);
  if (s.flags !== undefined) w.fixed32(16, s.flags);
  w.end(mark);
}

// opentelemetry.proto.logs.v1.LogRecord
function logRecord(w: ProtoWriter, r: OtlpLogRecord): void {
  const mark = w.begin(2);
  w.fixed64(1, r.timeUnixNano);
  w.int32(2, r.severityNumber);
  w.string(3, r.severityText);
  anyValueField(w, 5, r.body);
  keyValues(w, 6, r.attributes);
  if (r.droppedAttributesCount !== undefined) w.uint32(7, r.droppedAttributesCount);
  if (r.flags !== undefined) w.fixed32(8, r.flags);
  if (r.traceId !== undefined) w.hex(9, r.traceId);
  if (r.spanId !== undefined) w.hex(10, r.spanId);
  if (r.observedTimeUnixNano !== undefined) w.fixed64(11, r.observedTimeUnixNano);
  if (r.eventName !== undefined) w.string(12, r.eventName);
  w.end(mark);
}

// opentelemetry.proto.resource.v1.Resource
function resource(w: ProtoWriter, field: number, r: OtlpResource): void {
  const mark = w.begin(field);
  keyValues(w, 1, r.attributes);
  if (r.droppedAttributesCount !== undefined) w.uint32(2, r.droppedAttributesCount);
  w.end(mark);
}

// opentelemetry.proto.common.v1.InstrumentationScope
function scope(w: ProtoWriter, field: number, s: OtlpInstrumentationScope): void {
  const mark = w.begin(field);
  w.string(1, s.name);
  if (s.version !== undefined) w.string(2, s.version);
  keyValues(w, 3, s.attributes);
  w.end(mark);
}

// repeated opentelemetry.proto.common.v1.KeyValue
function keyValues(w: ProtoWriter, field: number, list: OtlpKeyValue[] | undefined): void {
  if (list === undefined) return;
  for (const kv of list) {
    const mark = w.begin(field);
    w.string(1, kv.key);
    anyValueField(w, 2, kv.value);
    w.end(mark);
  }
}

// opentelemetry.proto.common.v1.AnyValue: exactly one member of its oneof is written.
function anyValueField(w: ProtoWriter, field: number, value: OtlpAnyValue | undefined): void {
  if (value === undefined) return;
  const mark = w.begin(field);
  if (value.stringValue !== undefined) w.string(1, value.stringValue);
  else if (value.boolValue !== undefined) w.bool(2, value.boolValue);
  else if (value.intValue !== undefined) w.int64(3, value.intValue);
  else if (value.doubleValue !== undefined) w.double(4, Number(value.doubleValue));
  else if (value.arrayValue !== undefined) {
    const array = w.begin(5);
    for (const item of value.arrayValue.values ?? []) anyValueField(w, 1, item);
    w.end(array);
  } else if (value.kvlistValue !== undefined) {
    const kvlist = w.begin(6);
    keyValues(w, 1, value.kvlistValue.values);
    w.end(kvlist);
  } else if (value.bytesValue !== undefined) w.base64(7, value.bytesValue);
  w.end(mark);
}
