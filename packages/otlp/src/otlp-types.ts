/**
 * The OTLP/JSON request shapes this package produces (proto3 JSON mapping with
 * OTLP's deviations: ids as hex, enums as integers, 64-bit integers as decimal
 * strings). Field names follow opentelemetry-proto's lowerCamelCase JSON names.
 */

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64: a decimal string when we write it; receivers also accept a number. */
  intValue?: string | number;
  /** A number, or `"NaN"` / `"Infinity"` / `"-Infinity"` as proto3 JSON spells them. */
  doubleValue?: number | string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  /** base64 */
  bytesValue?: string;
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

export interface OtlpResource {
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpInstrumentationScope {
  name: string;
  version?: string;
  attributes?: OtlpKeyValue[];
}

/** opentelemetry.proto.trace.v1.Span.SpanKind */
export const OtlpSpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** opentelemetry.proto.trace.v1.Status.StatusCode */
export const OtlpStatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export interface OtlpStatus {
  code?: number;
  message?: string;
}

export interface OtlpEvent {
  /** Unix epoch nanoseconds as a decimal string. */
  timeUnixNano: string;
  name: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

export interface OtlpSpan {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  traceState?: string;
  parentSpanId?: string;
  /** W3C trace flags in bits 0-7; bit 8 = "is-remote known", bit 9 = parent is remote. */
  flags?: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: OtlpEvent[];
  droppedEventsCount?: number;
  links?: OtlpLink[];
  droppedLinksCount?: number;
  status: OtlpStatus;
}

export interface OtlpScopeSpans {
  scope: OtlpInstrumentationScope;
  spans: OtlpSpan[];
  schemaUrl?: string;
}

export interface OtlpResourceSpans {
  resource: OtlpResource;
  scopeSpans: OtlpScopeSpans[];
  schemaUrl?: string;
}

/** The body of `POST /v1/traces` (ExportTraceServiceRequest). */
export interface OtlpTracesRequest {
  resourceSpans: OtlpResourceSpans[];
}

/** opentelemetry.proto.logs.v1.SeverityNumber values tracewire uses. */
export const OtlpSeverityNumber = { DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17 } as const;

export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano?: string;
  severityNumber: number;
  severityText: string;
  body: OtlpAnyValue;
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  traceId?: string;
  spanId?: string;
  eventName?: string;
}

export interface OtlpScopeLogs {
  scope: OtlpInstrumentationScope;
  logRecords: OtlpLogRecord[];
  schemaUrl?: string;
}

export interface OtlpResourceLogs {
  resource: OtlpResource;
  scopeLogs: OtlpScopeLogs[];
  schemaUrl?: string;
}

/** The body of `POST /v1/logs` (ExportLogsServiceRequest). */
export interface OtlpLogsRequest {
  resourceLogs: OtlpResourceLogs[];
}

/** Extra resource attributes (`service.version`, `host.name`, `k8s.pod.name`, ...). */
export type ResourceAttributes = Record<string, string | number | boolean>;
