import { readHeader } from '../../propagation/headers';
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

/**
 * Copies the listed headers into `into` as string-array attributes (OpenTelemetry's
 * shape). `names` must already be lowercase and free of secret headers.
 */
export function captureHeaders(
  into: Attributes,
  prefix: string,
  headers: HeaderGetter,
  names: readonly string[],
): void {
  for (const name of names) {
    const value = readHeader(headers, name);
    if (value === undefined) continue;
    into[prefix + name] = Array.isArray(value) ? value.map(String) : [String(value)];
  }
}
