import { type LowercaseHeaders, readHeader, readLowercaseHeader } from '../../propagation/headers';
import type { Attributes, HeaderGetter } from '../../types';

/** Header names recorded as `http.request.header.*` / `http.response.header.*`. */
export interface HeaderCapture {
  request?: string[];
  response?: string[];
}

const NEVER = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const SECRET_PARTS = ['api-key', 'apikey', 'api_key', 'token', 'secret', 'password', 'session'];

/** Secret headers are never recorded, even when a user lists them for capture. */
export function isSecretHeader(name: string, extra: readonly string[]): boolean {
  if (NEVER.has(name) || extra.includes(name)) return true;
  for (const part of SECRET_PARTS) if (name.includes(part)) return true;
  return false;
}

/** A header to record and the attribute it is recorded as. */
export interface CapturedHeader {
  readonly header: string;
  readonly attribute: string;
}

/**
 * The capture list for one direction: names lowercased, secret headers struck,
 * attribute names (`http.request.header.accept`) built once rather than per request.
 */
export function capturedHeaders(
  prefix: string,
  names: readonly string[],
  secret: readonly string[],
): CapturedHeader[] {
  return names
    .map((name) => name.toLowerCase())
    .filter((name) => !isSecretHeader(name, secret))
    .map((header) => ({ header, attribute: prefix + header }));
}

/**
 * Copies the listed headers into `into` as string-array attributes
 * (OpenTelemetry's shape). `lowercase`: `headers` is Node's lowercase record.
 */
export function captureHeaders(
  into: Attributes,
  headers: HeaderGetter,
  list: readonly CapturedHeader[],
  lowercase = false,
): void {
  for (const { header, attribute } of list) {
    const value = lowercase
      ? readLowercaseHeader(headers as LowercaseHeaders, header)
      : readHeader(headers, header);
    if (value === undefined) continue;
    into[attribute] = Array.isArray(value) ? value.map(String) : [value];
  }
}
