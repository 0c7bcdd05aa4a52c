/**
 * True on Cloudflare Workers (workerd), where a request's I/O is cancelled once
 * the request, including its `waitUntil()` promises, is over: there the
 * pipeline sends only from inside `flush()` and awaits what it started.
 */
export function isRequestScopedRuntime(): boolean {
  try {
    const { navigator } = globalThis as { navigator?: { userAgent?: unknown } };
    return navigator?.userAgent === 'Cloudflare-Workers';
  } catch {
    return false;
  }
}
