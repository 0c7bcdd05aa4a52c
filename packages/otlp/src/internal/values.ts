import type { AttributeScalar, AttributeValue } from '@tracewire/core';
import type { OtlpAnyValue, OtlpKeyValue } from '../otlp-types';
import { fromBase64 } from './proto-writer';

/**
 * Epoch milliseconds (a float with sub-millisecond digits) to Unix nanoseconds as
 * a decimal string. Going through whole microseconds keeps the value exact:
 * `ms * 1000` stays far below 2^53 until the year 2255, while `ms * 1e6` would not.
 */
export function msToNanos(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  const micros = Math.round(ms * 1000);
  return micros === 0 ? '0' : `${micros}000`;
}

function longToBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string') return /^-?\d+$/.test(value) ? BigInt(value) : undefined;
  if (value !== null && typeof value === 'object' && 'low' in value && 'high' in value) {
    const { low, high, unsigned } = value as { low: number; high: number; unsigned?: boolean };
    const bits = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
    return unsigned ? bits : BigInt.asIntN(64, bits);
  }
  return undefined;
}

/**
 * Unix nanoseconds as senders write them (decimal string, number, or a protobufjs
 * Long `{ low, high }`) to epoch milliseconds with microsecond precision.
 */
export function nanosToMs(value: unknown): number {
  if (typeof value === 'number')
    return Number.isFinite(value) ? Math.round(value / 1000) / 1000 : 0;
  const nanos = longToBigInt(value);
  return nanos === undefined || nanos < 0n ? 0 : Number(nanos / 1000n) / 1000;
}

/** An int64 as senders write it (string, number or Long) to a JS number. */
export function int64ToNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const big = longToBigInt(value);
  return big === undefined ? undefined : Number(big);
}

const HEX = /^[0-9a-f]+$/i;

/**
 * An id as OTLP receivers see it: hex (the OTLP/JSON rule), base64 (what a plain
 * protobuf JSON mapper writes), or raw bytes (a decoded protobuf message). Returns
 * lowercase hex of `byteLength` bytes, or undefined when it is none of those or all zero.
 */
export function normalizeId(value: unknown, byteLength: 8 | 16): string | undefined {
  let hex: string | undefined;
  if (typeof value === 'string') {
    if (value.length === byteLength * 2 && HEX.test(value)) {
      hex = value.toLowerCase();
    } else if (value.length > 0) {
      const bytes = fromBase64(value);
      if (bytes.length === byteLength) hex = toHex(bytes);
    }
  } else if (value instanceof Uint8Array && value.length === byteLength) {
    hex = toHex(value);
  }
  if (hex === undefined || /^0+$/.test(hex)) return undefined;
  return hex;
}

/** True for a non-zero hex id of the given size, the only id form we send. */
export function isHexId(value: unknown, byteLength: 8 | 16): value is string {
  return (
    typeof value === 'string' &&
    value.length === byteLength * 2 &&
    HEX.test(value) &&
    !/^0+$/.test(value)
  );
}

function scalarValue(value: AttributeScalar): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Number.isSafeInteger(value)) return { intValue: String(value) };
  return { doubleValue: Number.isFinite(value) ? value : String(value) };
}

/**
 * One tracewire attribute value to an OTLP AnyValue. Arrays must be homogeneous in
 * OTLP: a numeric array with any fraction becomes all doubles, and a mixed array is
 * sent as strings rather than dropped.
 */
export function toAnyValue(value: AttributeValue): OtlpAnyValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Array.isArray(value)) return scalarValue(value);
  const items = value.filter((item) => item !== null && item !== undefined);
  const first = typeof items[0];
  let values: OtlpAnyValue[];
  if (items.every((item) => typeof item === first)) {
    if (first === 'number' && !items.every((item) => Number.isSafeInteger(item))) {
      values = items.map((item) =>
        Number.isFinite(item) ? { doubleValue: item as number } : { doubleValue: String(item) },
      );
    } else {
      values = items.map(scalarValue);
    }
  } else {
    values = items.map((item) => ({ stringValue: String(item) }));
  }
  return { arrayValue: { values } };
}

/** Appends `attributes` as KeyValues, dropping null and undefined values. */
export function toKeyValues(
  attributes: Iterable<[string, AttributeValue]>,
  out: OtlpKeyValue[] = [],
): OtlpKeyValue[] {
  for (const [key, raw] of attributes) {
    const value = toAnyValue(raw);
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}

function fromScalar(value: OtlpAnyValue): AttributeScalar | undefined {
  if (value.stringValue !== undefined && value.stringValue !== null) return value.stringValue;
  if (value.boolValue !== undefined && value.boolValue !== null) return value.boolValue;
  if (value.intValue !== undefined && value.intValue !== null) {
    return int64ToNumber(value.intValue);
  }
  if (value.doubleValue !== undefined && value.doubleValue !== null)
    return Number(value.doubleValue);
  if (value.bytesValue !== undefined && value.bytesValue !== null) {
    const bytes = value.bytesValue as unknown;
    return bytes instanceof Uint8Array ? toBase64(bytes) : String(bytes);
  }
  return undefined;
}

/**
 * An OTLP AnyValue back to a tracewire attribute value. Nested maps (`kvlistValue`)
 * have no tracewire equivalent and arrive as JSON text.
 */
export function fromAnyValue(value: unknown): AttributeValue {
  if (value === null || typeof value !== 'object') return undefined;
  const any = value as OtlpAnyValue;
  if (any.arrayValue) {
    const out: AttributeScalar[] = [];
    for (const item of any.arrayValue.values ?? []) {
      const scalar = item && typeof item === 'object' ? fromScalar(item) : undefined;
      if (scalar !== undefined) out.push(scalar);
    }
    return out;
  }
  if (any.kvlistValue) {
    const object: Record<string, AttributeValue> = {};
    for (const entry of any.kvlistValue.values ?? []) {
      if (entry && typeof entry.key === 'string') object[entry.key] = fromAnyValue(entry.value);
    }
    return JSON.stringify(object);
  }
  return fromScalar(any);
}

/** OTLP KeyValues to a plain attribute map; later duplicates win, empty values are dropped. */
export function fromKeyValues(list: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  if (!Array.isArray(list)) return out;
  for (const entry of list) {
    if (!entry || typeof entry !== 'object' || typeof entry.key !== 'string') continue;
    const value = fromAnyValue(entry.value);
    if (value !== undefined) out[entry.key] = value;
  }
  return out;
}

/** Lowercase hex of `bytes` (no Buffer: this runs on Workers without `nodejs_compat`). */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}
