import { now } from './internal/clock';
import type { Attributes, AttributeValue, LogData, LogLevel } from './types';

/**
 * Extra fields of a log call. `type: 'analytics'` marks a product event (with an
 * `eventType`); any other key becomes an attribute.
 */
export interface LogFields {
  type?: 'log' | 'analytics';
  eventType?: string;
  userId?: string;
  sessionId?: string;
  attributes?: Attributes;
  [key: string]: AttributeValue | Attributes | undefined;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const RESERVED = new Set(['type', 'eventType', 'userId', 'sessionId', 'attributes']);

/** @internal Builds a log record; never throws on odd field values. */
export function makeLogRecord(
  level: LogLevel,
  message: string,
  fields: LogFields | undefined,
  serviceName: string,
  environment: string | undefined,
): LogData {
  const record: LogData = { level, message: String(message), time: now(), serviceName };
  if (environment !== undefined) record.environment = environment;
  if (fields === undefined) return record;
  if (fields.type !== undefined) record.type = fields.type;
  if (fields.eventType !== undefined) record.eventType = fields.eventType;
  if (fields.userId !== undefined) record.userId = fields.userId;
  if (fields.sessionId !== undefined) record.sessionId = fields.sessionId;
  let attributes: Attributes | undefined = fields.attributes ? { ...fields.attributes } : undefined;
  for (const key in fields) {
    if (RESERVED.has(key)) continue;
    const value = fields[key];
    if (
      value === undefined ||
      (typeof value === 'object' && value !== null && !Array.isArray(value))
    ) {
      continue;
    }
    attributes ??= {};
    attributes[key] = value as AttributeValue;
  }
  if (attributes) record.attributes = attributes;
  return record;
}
