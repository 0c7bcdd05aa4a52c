import type { HeaderGetter } from '../types';

/** Where outbound propagation headers are written: a plain object, or anything with `.set()`. */
export type HeaderCarrier = Record<string, unknown> | { set(name: string, value: string): unknown };

/**
 * Reads one header from Node's `IncomingHttpHeaders`, a plain record with keys in
 * any case, a fetch-style object with `.get()`, or a Node `ServerResponse`
 * (`.getHeader()`). Returns `undefined` when the header is absent or the bag
 * misbehaves; never throws.
 *
 * @example readHeader(req.headers, 'traceparent') // '00-4bf9...-01' | undefined
 */
export function readHeader(headers: HeaderGetter, name: string): string | string[] | undefined {
  try {
    if (headers === null || typeof headers !== 'object') return undefined;
    const get = (headers as { get?: unknown }).get;
    if (typeof get === 'function') {
      const value: unknown = get.call(headers, name);
      return typeof value === 'string' ? value : undefined;
    }
    const getHeader = (headers as { getHeader?: unknown }).getHeader;
    if (typeof getHeader === 'function') {
      const value: unknown = getHeader.call(headers, name);
      return typeof value === 'number' ? String(value) : headerValue(value);
    }
    const record = headers as Record<string, unknown>;
    // Node lowercases incoming header names, so the direct lookup is the hot path.
    const direct = record[name];
    if (direct !== undefined) return headerValue(direct);
    for (const key in record) {
      if (key.length === name.length && Object.hasOwn(record, key) && sameIgnoringCase(key, name)) {
        const value = record[key];
        if (value !== undefined) return headerValue(value);
      }
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * `readHeader()` for a plain record whose names are all lowercase, as Node's
 * `IncomingMessage.headers` are: one lookup, without probing for `.get()` or
 * searching the names case-insensitively for a header that is absent.
 */
export function readLowercaseHeader(
  headers: LowercaseHeaders,
  name: string,
): string | string[] | undefined {
  return headerValue(headers[name]);
}

/** Node's `IncomingHttpHeaders`: names lowercase, values strings (arrays for `set-cookie`). */
export type LowercaseHeaders = Readonly<Record<string, unknown>>;

/**
 * Writes one header on a plain object or on anything with `.set()` (fetch
 * `Headers`, `Map`). A carrier that refuses the write (frozen, throwing setter)
 * is left as it is; never throws.
 *
 * @example setHeader(outgoing, 'traceparent', '00-4bf9...-01')
 */
export function setHeader(carrier: HeaderCarrier, name: string, value: string): void {
  try {
    const set = (carrier as { set?: unknown }).set;
    if (typeof set === 'function') set.call(carrier, name, value);
    else (carrier as Record<string, unknown>)[name] = value;
  } catch {
    // A carrier we cannot write to only loses propagation, never the request.
  }
}

export function headerValue(value: unknown): string | string[] | undefined {
  if (typeof value === 'string' || Array.isArray(value)) return value as string | string[];
  return undefined;
}

/** ASCII case-insensitive comparison of two strings of equal length. */
function sameIgnoringCase(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}
