import { headerValue, readHeader } from '../../propagation/headers';
import type { HeaderGetter } from '../../types';

/** A header as one string: repeated headers are joined the way Node joins them. */
export function readHeaderValue(headers: HeaderGetter, name: string): string | undefined {
  return joinedValue(readHeader(headers, name));
}

/** A raw header value (a string, a list, or anything a caller put there) as one string. */
export function joined(value: unknown): string | undefined {
  return joinedValue(headerValue(value));
}

function joinedValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Splits a request target (origin-form or absolute) into path and query, no allocation for the common case. */
export function splitUrl(url: string): { path: string; query: string } {
  let target = url || '/';
  if (target.charCodeAt(0) !== 47 /* / */) {
    const scheme = target.indexOf('://');
    if (scheme !== -1) {
      const slash = target.indexOf('/', scheme + 3);
      target = slash === -1 ? '/' : target.slice(slash);
    }
  }
  const hash = target.indexOf('#');
  if (hash !== -1) target = target.slice(0, hash);
  const q = target.indexOf('?');
  if (q === -1) return { path: target, query: '' };
  return { path: target.slice(0, q), query: target.slice(q + 1) };
}

/** `example.com:8080` -> address and port; IPv6 literals keep their brackets off. */
export function splitHost(host: string): { address: string; port: number | undefined } {
  if (host.charCodeAt(0) === 91 /* [ */) {
    const close = host.indexOf(']');
    const address = host.slice(1, close === -1 ? undefined : close);
    const port =
      close !== -1 && host.charCodeAt(close + 1) === 58 ? toPort(host.slice(close + 2)) : undefined;
    return { address, port };
  }
  const colon = host.lastIndexOf(':');
  if (colon === -1) return { address: host, port: undefined };
  return { address: host.slice(0, colon), port: toPort(host.slice(colon + 1)) };
}

function toPort(text: string): number | undefined {
  const port = Number(text);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/** A `content-length` value as a byte count, or undefined when absent or not a valid size. */
export function parseContentLength(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const size = Number(value);
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}
