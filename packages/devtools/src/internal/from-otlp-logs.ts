import type { Attributes, AttributeValue, LogData, LogLevel } from '@tracewire/core';
import { attributes, isObject, PayloadError, spanId, traceId, UNKNOWN_SERVICE } from './normalize';

/**
 * OTLP/JSON `ExportLogsServiceRequest` to tracewire logs. @tracewire/otlp only
 * writes logs (`toOtlpLogs`), so the reading side lives here; it accepts what
 * OpenTelemetry SDKs send: hex or base64 ids, int64 as strings or numbers,
 * severities as numbers or names.
 */
export function fromOtlpLogs(request: unknown): LogData[] {
  if (!isObject(request) || Array.isArray(request)) {
    throw new PayloadError(
      'expected an OTLP/JSON ExportLogsServiceRequest ({ "resourceLogs": [...] })',
    );
  }
  const out: LogData[] = [];
  for (const resourceLogs of list(request.resourceLogs)) {
    if (!isObject(resourceLogs)) continue;
    const resource = isObject(resourceLogs.resource)
      ? fromKeyValues(resourceLogs.resource.attributes)
      : {};
    const serviceName = nonEmpty(resource['service.name']) ?? UNKNOWN_SERVICE;
    const environment =
      nonEmpty(resource['deployment.environment.name']) ??
      nonEmpty(resource['deployment.environment']);
    const scopes = [
      ...list(resourceLogs.scopeLogs),
      ...list(resourceLogs.instrumentationLibraryLogs),
    ];
    for (const scope of scopes) {
      if (!isObject(scope)) continue;
      for (const record of list(scope.logRecords)) {
        if (!isObject(record)) continue;
        const log = fromRecord(record, serviceName);
        if (environment) log.environment = environment;
        out.push(log);
      }
    }
  }
  return out;
}

function fromRecord(record: Record<string, unknown>, serviceName: string): LogData {
  const attrs = fromKeyValues(record.attributes);
  const take = (key: string): AttributeValue => {
    const value = attrs[key];
    delete attrs[key];
    return value;
  };
  const time =
    nanosToMs(record.timeUnixNano) || nanosToMs(record.observedTimeUnixNano) || Date.now();
  const body = fromAnyValue(record.body);
  const log: LogData = {
    level: level(record.severityNumber, record.severityText),
    message: typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body),
    time,
    serviceName,
  };
  const trace = id(record.traceId, 16);
  if (trace) {
    log.traceId = trace;
    const span = id(record.spanId, 8);
    if (span) log.spanId = span;
  }
  const type = take('tracewire.log.type');
  if (type === 'log' || type === 'analytics') log.type = type;
  const eventName = take('event.name') ?? record.eventName;
  if (typeof eventName === 'string' && eventName) log.eventType = eventName;
  const userId = take('user.id');
  if (typeof userId === 'string' && userId) log.userId = userId;
  const sessionId = take('session.id');
  if (typeof sessionId === 'string' && sessionId) log.sessionId = sessionId;
  const cleaned = attributes(attrs);
  if (Object.keys(cleaned).length > 0) log.attributes = cleaned;
  return log;
}

/** SeverityNumber ranges: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-24 ERROR and FATAL. */
function level(severityNumber: unknown, severityText: unknown): LogLevel {
  const n = Number(severityNumber);
  if (Number.isFinite(n) && n > 0) {
    if (n >= 17) return 'error';
    if (n >= 13) return 'warn';
    if (n >= 9) return 'info';
    return 'debug';
  }
  const name = typeof severityText === 'string' ? severityText.toLowerCase() : '';
  if (name.startsWith('err') || name.startsWith('fatal') || name.startsWith('crit')) return 'error';
  if (name.startsWith('warn')) return 'warn';
  if (name.startsWith('debug') || name.startsWith('trace')) return 'debug';
  return 'info';
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function nonEmpty(value: AttributeValue): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function nanosToMs(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value / 1e6;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) {
    // Split so the integer milliseconds stay exact beyond 2^53 nanoseconds.
    const ms = value.length > 6 ? Number(value.slice(0, -6)) : 0;
    const rest = Number(value.slice(-6)) / 1e6;
    return ms + rest;
  }
  return 0;
}

/** OTLP JSON ids are hex; the plain proto3 JSON mapping spells bytes as base64. */
function id(value: unknown, bytes: 8 | 16): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (value.length === bytes * 2) return bytes === 16 ? traceId(value) : spanId(value);
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length !== bytes) return undefined;
  const hex = decoded.toString('hex');
  return bytes === 16 ? traceId(hex) : spanId(hex);
}

function fromKeyValues(value: unknown): Attributes {
  const out: Attributes = {};
  for (const kv of list(value)) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    const v = fromAnyValue(kv.value);
    if (v === undefined) continue;
    out[kv.key] =
      Array.isArray(v) || typeof v !== 'object' || v === null
        ? (v as AttributeValue)
        : JSON.stringify(v);
  }
  return out;
}

type Any = string | number | boolean | null | Any[] | { [key: string]: Any };

function fromAnyValue(value: unknown): Any | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isFinite(n) ? n : String(value.intValue);
  }
  if (value.doubleValue !== undefined) {
    const n = Number(value.doubleValue);
    return Number.isFinite(n) ? n : String(value.doubleValue);
  }
  if (typeof value.bytesValue === 'string') return value.bytesValue;
  if (isObject(value.arrayValue)) {
    return list(value.arrayValue.values).flatMap((v) => {
      const item = fromAnyValue(v);
      return item === undefined ? [] : [item];
    });
  }
  if (isObject(value.kvlistValue)) {
    const out: Record<string, Any> = {};
    for (const kv of list(value.kvlistValue.values)) {
      if (!isObject(kv) || typeof kv.key !== 'string') continue;
      const item = fromAnyValue(kv.value);
      if (item !== undefined) out[kv.key] = item;
    }
    return out;
  }
  return undefined;
}
