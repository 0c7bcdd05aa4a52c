// The edge build's outgoing calls: fetch runtimes publish no diagnostics_channel
// events for their `fetch`, so there is nothing to hook. Trace context goes out
// with `fetch(url, { headers: inject({}) })`.

/**
 * Does nothing on fetch runtimes (no hooks exist there) and returns a function
 * that does nothing; pass the context with `inject()` instead. Kept so code
 * written for Node loads unchanged.
 */
export function instrumentHttpClients(...args: unknown[]): () => void {
  if (args[0] !== undefined) {
    throw new TypeError(
      'tracewire: instrumentHttpClients() takes no options; which hosts receive trace context is set per tracer: createTracer({ outgoing: { propagateTo: [...] } }).',
    );
  }
  return noop;
}

/** Always false on fetch runtimes: no client spans are made for outgoing calls. */
export function isHttpClientInstrumented(): boolean {
  return false;
}

function noop(): void {}
