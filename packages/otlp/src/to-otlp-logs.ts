import type { AttributeValue, LogData, LogLevel } from '@tracewire/core';
import { FLAG_SAMPLED, KEYS } from './internal/keys';
import { buildResource, buildScope, resourceKey } from './internal/resource';
import { isHexId, msToNanos, toKeyValues } from './internal/values';
import {
  type OtlpLogRecord,
  type OtlpLogsRequest,
  type OtlpResourceLogs,
  OtlpSeverityNumber,
  type ResourceAttributes,
} from './otlp-types';

const SEVERITY: Record<LogLevel, { number: number; text: string }> = {
  debug: { number: OtlpSeverityNumber.DEBUG, text: 'DEBUG' },
  info: { number: OtlpSeverityNumber.INFO, text: 'INFO' },
  warn: { number: OtlpSeverityNumber.WARN, text: 'WARN' },
  error: { number: OtlpSeverityNumber.ERROR, text: 'ERROR' },
};

/**
 * tracewire logs as an OTLP/JSON `ExportLogsServiceRequest`, one ResourceLogs per
 * service and environment. Correlated logs keep their trace and span ids.
 *
 * @example
 * const body = JSON.stringify(toOtlpLogs(exporter.logs()));
 * await fetch('http://127.0.0.1:4318/v1/logs', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
 */
export function toOtlpLogs(
  logs: readonly LogData[],
  resource?: ResourceAttributes,
): OtlpLogsRequest {
  return buildLogsRequest(logs, resource, undefined);
}

/** `toOtlpLogs` with the tracewire version for `telemetry.sdk.version`, which LogData lacks. */
export function buildLogsRequest(
  logs: readonly LogData[],
  resource: ResourceAttributes | undefined,
  sdkVersion: string | undefined,
): OtlpLogsRequest {
  const groups = new Map<string, OtlpResourceLogs>();
  for (const log of logs) {
    const key = resourceKey(log.serviceName, log.environment, sdkVersion);
    let group = groups.get(key);
    if (!group) {
      group = {
        resource: buildResource(log.serviceName, log.environment, sdkVersion, resource),
        scopeLogs: [{ scope: buildScope(sdkVersion), logRecords: [] }],
      };
      groups.set(key, group);
    }
    group.scopeLogs[0]!.logRecords.push(toLogRecord(log));
  }
  return { resourceLogs: [...groups.values()] };
}

function toLogRecord(log: LogData): OtlpLogRecord {
  const severity = SEVERITY[log.level] ?? SEVERITY.info;
  const attributes = new Map<string, AttributeValue>();
  for (const key of Object.keys(log.attributes ?? {})) attributes.set(key, log.attributes![key]);
  if (log.userId !== undefined) attributes.set(KEYS.userId, log.userId);
  if (log.sessionId !== undefined) attributes.set(KEYS.sessionId, log.sessionId);
  if (log.type !== undefined) attributes.set(KEYS.logType, log.type);
  if (log.eventType !== undefined) attributes.set(KEYS.eventName, log.eventType);

  const time = msToNanos(log.time);
  const record: OtlpLogRecord = {
    timeUnixNano: time,
    observedTimeUnixNano: time,
    severityNumber: severity.number,
    severityText: severity.text,
    body: { stringValue: log.message },
    attributes: toKeyValues(attributes),
  };
  if (isHexId(log.traceId, 16)) {
    record.traceId = log.traceId.toLowerCase();
    record.flags = FLAG_SAMPLED;
    if (isHexId(log.spanId, 8)) record.spanId = log.spanId.toLowerCase();
  }
  // LogRecord.event_name is the newer home of event.name; collectors that predate
  // it skip the unknown field and still read the attribute.
  if (log.eventType !== undefined) record.eventName = log.eventType;
  return record;
}
