import { createRequire } from 'node:module';

/**
 * The protobufjs code OpenTelemetry generated from opentelemetry-proto and shipped
 * in @opentelemetry/otlp-transformer 0.214 (the last release that still carried
 * the trace and logs messages). Decoding with it checks our bytes against the
 * official schema rather than against our own descriptor.
 */
const require = createRequire(import.meta.url);
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');

interface GeneratedType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): any;
}

const traceRequest: GeneratedType =
  root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const logsRequest: GeneratedType =
  root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;

// int64/fixed64 as decimal strings, enums as numbers, bytes kept as bytes.
const AS_OBJECT = { longs: String, enums: Number };

export function decodeTraces(bytes: Uint8Array): any {
  return traceRequest.toObject(traceRequest.decode(bytes), AS_OBJECT);
}

export function decodeLogs(bytes: Uint8Array): any {
  return logsRequest.toObject(logsRequest.decode(bytes), AS_OBJECT);
}

export function hex(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('hex');
}

/** The AnyValue of `key` in a decoded KeyValue list. */
export function attr(list: { key: string; value: unknown }[] | undefined, key: string): any {
  return list?.find((kv) => kv.key === key)?.value;
}
