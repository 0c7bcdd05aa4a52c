/**
 * A cap on recorded traces per second: a token bucket, as in Jaeger's
 * rate-limiting sampler and the reservoir of AWS X-Ray's rules. It refills at
 * `perSecond` and holds at most one second's worth (at least one), so a quiet
 * service may record a short burst and a busy one records `perSecond` on
 * average, whatever its callers' `traceparent` flags say.
 *
 * @example
 * const cap = traceRateLimiter(100);
 * if (sampled && !cap.tryTake()) sampled = false;
 */
export interface TraceRateLimiter {
  readonly perSecond: number;
  /** Takes one trace's worth; false when the cap is reached for now. */
  tryTake(): boolean;
}

export function traceRateLimiter(
  perSecond: number,
  clock: () => number = () => performance.now(),
): TraceRateLimiter {
  if (typeof perSecond !== 'number' || !(perSecond > 0) || !Number.isFinite(perSecond)) {
    throw new RangeError(
      `tracewire: \`maxTracesPerSecond\` must be a positive number of traces per second (got ${String(perSecond)}); leave it out for no cap.`,
    );
  }
  const capacity = Math.max(1, perSecond);
  const perMs = perSecond / 1000;
  let balance = capacity;
  // Read on first use, not at construction: a tracer made at module scope reads no clock.
  let last: number | undefined;
  return {
    perSecond,
    tryTake() {
      const at = clock();
      if (last !== undefined && at > last)
        balance = Math.min(capacity, balance + (at - last) * perMs);
      last = at;
      if (balance < 1) return false;
      balance -= 1;
      return true;
    },
  };
}
