import { type LowercaseHeaders, readHeader, readLowercaseHeader } from '../../propagation/headers';
import type { Attributes, HeaderGetter } from '../../types';
import type { HeaderCapture } from '../header-capture';

export type { HeaderCapture };

const NEVER = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
/** Parts of a header name that make it look like a secret (`x-signature`, `x-access-key`, `private-key`). */
const SECRET_PARTS = [
  'key',
  'token',
  'secret',
  'password',
  'passwd',
  'session',
  'signature',
  'auth',
  'credential',
  'jwt',
  'otp',
  'csrf',
  'xsrf',
];

/**
 * Secret headers are never recorded, even when a user lists them for capture:
 * `authorization`, cookies and the tracer's `redact.headers` always, and a name
 * that looks like a secret unless it is listed in `force`.
 */
export function isSecretHeader(
  name: string,
  extra: readonly string[],
  force: readonly string[] = [],
): boolean {
  if (NEVER.has(name) || extra.includes(name)) return true;
  if (force.includes(name)) return false;
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
  force: readonly string[] = [],
): CapturedHeader[] {
  const forced = force.map((name) => name.toLowerCase());
  return names
    .map((name) => name.toLowerCase())
    .filter((name) => !isSecretHeader(name, secret, forced))
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
