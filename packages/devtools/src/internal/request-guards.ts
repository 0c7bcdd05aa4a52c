import type { IncomingMessage } from 'node:http';

/*
 * What keeps the collector to this machine: the viewer answers only loopback
 * Host names (no DNS rebinding), and nothing that changes state is taken from
 * a web page on another origin.
 */

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function isLoopbackHostHeader(header: string | undefined, bound: string): boolean {
  if (!header) return true;
  let name: string;
  try {
    name = new URL(`http://${header}`).hostname;
  } catch {
    return false;
  }
  if (name.startsWith('[')) name = name.slice(1, -1);
  return isLoopback(name) || name === bound || name.endsWith('.localhost');
}

/**
 * Why a request comes from a browser page that is not this viewer, or
 * undefined. `Sec-Fetch-Site` is trusted when present (every current browser
 * sends it); `Origin` must then name this very server on a host the viewer
 * answers, so a page on another port of 127.0.0.1, on localhost, or on a
 * rebound DNS name is refused.
 */
export function crossOriginRefusal(
  req: IncomingMessage,
  viewerHost: (header: string | undefined) => boolean,
): string | undefined {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    return `Sec-Fetch-Site: ${site}`;
  }
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  const own =
    parsed !== undefined &&
    parsed.protocol === 'http:' &&
    req.headers.host !== undefined &&
    parsed.host === req.headers.host &&
    viewerHost(req.headers.host);
  return own ? undefined : `Origin: ${origin.slice(0, 100)}`;
}
