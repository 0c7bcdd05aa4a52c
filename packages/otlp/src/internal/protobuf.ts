/*
 * Binary OTLP decoding (`decodeOtlpTraces`, `decodeOtlpLogs`). Encoding is
 * proto-encode.ts's hand-written writer; this descriptor is only read.
 *
 * Why protobufjs with a schema descriptor instead of @opentelemetry/otlp-transformer:
 * the transformer's Node 20 releases (0.2xx) only serialize SDK `ReadableSpan` /
 * `ReadableLogRecord` objects, so using them means faking SDK internals whose shape
 * has changed between releases, pulling in the SDK packages (about 25 MB, ~80 ms
 * to load) and accepting their value rules (ints as JSON numbers, no control over
 * resource grouping). The OTLP v1 wire schema, on the other hand, is stable and
 * frozen: field numbers cannot change. So protobufjs decodes against the subset of
 * the official schema below, into the OTLP/JSON shape `toOtlpTraces` returns. The
 * tests check it against the generated code that OpenTelemetry publishes.
 */
import protobuf from 'protobufjs/light.js';
import type { OtlpLogsRequest, OtlpTracesRequest } from '../otlp-types';
import { toHex } from './values';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>;

const repeated = (type: string, id: number) => ({ type, id, rule: 'repeated' as const });

const COMMON = 'opentelemetry.proto.common.v1.';
const commonV1: Record<string, { fields: Fields; oneofs?: Record<string, { oneof: string[] }> }> = {
  AnyValue: {
    oneofs: {
      value: {
        oneof: [
          'stringValue',
          'boolValue',
          'intValue',
          'doubleValue',
          'arrayValue',
          'kvlistValue',
          'bytesValue',
        ],
      },
    },
    fields: {
      stringValue: { type: 'string', id: 1 },
      boolValue: { type: 'bool', id: 2 },
      intValue: { type: 'int64', id: 3 },
      doubleValue: { type: 'double', id: 4 },
      arrayValue: { type: 'ArrayValue', id: 5 },
      kvlistValue: { type: 'KeyValueList', id: 6 },
      bytesValue: { type: 'bytes', id: 7 },
    },
  },
  ArrayValue: { fields: { values: repeated('AnyValue', 1) } },
  KeyValueList: { fields: { values: repeated('KeyValue', 1) } },
  KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
  InstrumentationScope: {
    fields: {
      name: { type: 'string', id: 1 },
      version: { type: 'string', id: 2 },
      attributes: repeated('KeyValue', 3),
      droppedAttributesCount: { type: 'uint32', id: 4 },
    },
  },
};

const RESOURCE = 'opentelemetry.proto.resource.v1.Resource';
const resourceV1 = {
  Resource: {
    fields: {
      attributes: repeated(`${COMMON}KeyValue`, 1),
      droppedAttributesCount: { type: 'uint32', id: 2 },
    },
  },
};

const traceV1 = {
  ResourceSpans: {
    fields: {
      resource: { type: RESOURCE, id: 1 },
      scopeSpans: repeated('ScopeSpans', 2),
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  ScopeSpans: {
    fields: {
      scope: { type: `${COMMON}InstrumentationScope`, id: 1 },
      spans: repeated('Span', 2),
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  Span: {
    fields: {
      traceId: { type: 'bytes', id: 1 },
      spanId: { type: 'bytes', id: 2 },
      traceState: { type: 'string', id: 3 },
      parentSpanId: { type: 'bytes', id: 4 },
      flags: { type: 'fixed32', id: 16 },
      name: { type: 'string', id: 5 },
      kind: { type: 'int32', id: 6 },
      startTimeUnixNano: { type: 'fixed64', id: 7 },
      endTimeUnixNano: { type: 'fixed64', id: 8 },
      attributes: repeated(`${COMMON}KeyValue`, 9),
      droppedAttributesCount: { type: 'uint32', id: 10 },
      events: repeated('Event', 11),
      droppedEventsCount: { type: 'uint32', id: 12 },
      links: repeated('Link', 13),
      droppedLinksCount: { type: 'uint32', id: 14 },
      status: { type: 'Status', id: 15 },
    },
  },
  Event: {
    fields: {
      timeUnixNano: { type: 'fixed64', id: 1 },
      name: { type: 'string', id: 2 },
      attributes: repeated(`${COMMON}KeyValue`, 3),
      droppedAttributesCount: { type: 'uint32', id: 4 },
    },
  },
  Link: {
    fields: {
      traceId: { type: 'bytes', id: 1 },
      spanId: { type: 'bytes', id: 2 },
      traceState: { type: 'string', id: 3 },
      attributes: repeated(`${COMMON}KeyValue`, 4),
      droppedAttributesCount: { type: 'uint32', id: 5 },
      flags: { type: 'fixed32', id: 6 },
    },
  },
  // Enum fields (SpanKind, StatusCode) are declared int32: same varint on the wire.
  Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
};

const logsV1 = {
  ResourceLogs: {
    fields: {
      resource: { type: RESOURCE, id: 1 },
      scopeLogs: repeated('ScopeLogs', 2),
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  ScopeLogs: {
    fields: {
      scope: { type: `${COMMON}InstrumentationScope`, id: 1 },
      logRecords: repeated('LogRecord', 2),
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  LogRecord: {
    fields: {
      timeUnixNano: { type: 'fixed64', id: 1 },
      observedTimeUnixNano: { type: 'fixed64', id: 11 },
      severityNumber: { type: 'int32', id: 2 },
      severityText: { type: 'string', id: 3 },
      body: { type: `${COMMON}AnyValue`, id: 5 },
      attributes: repeated(`${COMMON}KeyValue`, 6),
      droppedAttributesCount: { type: 'uint32', id: 7 },
      flags: { type: 'fixed32', id: 8 },
      traceId: { type: 'bytes', id: 9 },
      spanId: { type: 'bytes', id: 10 },
      eventName: { type: 'string', id: 12 },
    },
  },
};

const DESCRIPTOR = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: { nested: { v1: { nested: commonV1 } } },
            resource: { nested: { v1: { nested: resourceV1 } } },
            trace: { nested: { v1: { nested: traceV1 } } },
            logs: { nested: { v1: { nested: logsV1 } } },
            collector: {
              nested: {
                trace: {
                  nested: {
                    v1: {
                      nested: {
                        ExportTraceServiceRequest: {
                          fields: {
                            resourceSpans: repeated(
                              'opentelemetry.proto.trace.v1.ResourceSpans',
                              1,
                            ),
                          },
                        },
                      },
                    },
                  },
                },
                logs: {
                  nested: {
                    v1: {
                      nested: {
                        ExportLogsServiceRequest: {
                          fields: {
                            resourceLogs: repeated('opentelemetry.proto.logs.v1.ResourceLogs', 1),
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

let types: { traces: protobuf.Type; logs: protobuf.Type } | undefined;

function loadTypes(): { traces: protobuf.Type; logs: protobuf.Type } {
  if (!types) {
    const root = protobuf.Root.fromJSON(DESCRIPTOR);
    types = {
      traces: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
      logs: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    };
  }
  return types;
}

/**
 * Decodes an OTLP/HTTP protobuf body into the OTLP/JSON shape (ids as lowercase hex,
 * int64 as decimal strings, enums as numbers), so one reader serves both encodings.
 */
export function decodeTraces(body: Uint8Array): OtlpTracesRequest {
  const { traces } = loadTypes();
  return jsonShape(traces.toObject(traces.decode(body), DECODE_OPTIONS)) as OtlpTracesRequest;
}

/** Like `decodeTraces`, for `ExportLogsServiceRequest`. */
export function decodeLogs(body: Uint8Array): OtlpLogsRequest {
  const { logs } = loadTypes();
  return jsonShape(logs.toObject(logs.decode(body), DECODE_OPTIONS)) as OtlpLogsRequest;
}

const DECODE_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: Number,
  defaults: false,
};

function jsonShape(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(jsonShape);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = jsonShape(inner);
    return out;
  }
  return value;
}
