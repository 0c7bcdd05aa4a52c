import { describe, expect, it } from 'vitest';
import { memoryExporter } from '../../src/export/memory-exporter';
import { extract } from '../../src/propagation/propagator';
import { traceRateLimiter } from '../../src/sampling/rate-limiter';
import { createTracer } from '../../src/tracer';

describe('traceRateLimiter', () => {
  it('lets one second of traces through at once, then refills at the rate', () => {
    let now = 1000;
    const limiter = traceRateLimiter(5, () => now);
    const burst = Array.from({ length: 8 }, () => limiter.tryTake());
    expect(burst).toEqual([true, true, true, true, true, false, false, false]);
    now += 200; // one token back
    expect([limiter.tryTake(), limiter.tryTake()]).toEqual([true, false]);
    now += 10_000; // refills to one second's worth, never more
    expect(Array.from({ length: 7 }, () => limiter.tryTake()).filter(Boolean)).toHaveLength(5);
  });

  it('allows one trace now and then under a rate below one per second', () => {
    let now = 0;
    const limiter = traceRateLimiter(0.5, () => now);
    expect([limiter.tryTake(), limiter.tryTake()]).toEqual([true, false]);
    now += 1999;
    expect(limiter.tryTake()).toBe(false);
    now += 1;
    expect(limiter.tryTake()).toBe(true);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '10'])(
    'rejects %s at construction, saying what to pass',
    (value) => {
      expect(() => traceRateLimiter(value as number)).toThrow(
        /maxTracesPerSecond.*positive number/,
      );
      expect(() => createTracer({ serviceName: 's', maxTracesPerSecond: value as number })).toThrow(
        /maxTracesPerSecond/,
      );
    },
  );
});

describe('maxTracesPerSecond', () => {
  /** 2,000 requests whose callers all claim `sampled` (flag 01) at a 1% sampler. */
  function forgedBurst(options: { maxTracesPerSecond?: number; sampled?: boolean }) {
    const exporter = memoryExporter();
    const tracer = createTracer({
      serviceName: 'edge',
      exporter,
      sampler: 0.01,
      maxTracesPerSecond: options.maxTracesPerSecond,
    });
    const started = performance.now();
    let recorded = 0;
    for (let i = 0; i < 2000; i++) {
      const traceId = `${i.toString(16).padStart(16, '0')}${'f'.repeat(16)}`;
      const parent = extract({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
      const trace = tracer.startTrace({
        name: 'GET /',
        kind: 'server',
        parent,
        sampled: options.sampled,
      });
      if (trace.sampled) recorded++;
      void trace.end();
    }
    const elapsedMs = performance.now() - started;
    return { tracer, recorded, elapsedMs };
  }

  it('without it, a forged sampled flag forces every trace to be recorded', () => {
    const { recorded, tracer } = forgedBurst({});
    expect(recorded).toBe(2000);
    expect(tracer.stats().tracesRateLimited).toBe(0);
  });

  it('caps recorded traces whatever the inbound flag says, and counts what it refused', () => {
    const { recorded, tracer, elapsedMs } = forgedBurst({ maxTracesPerSecond: 20 });
    // One second's worth at once, plus what refilled while the loop ran.
    expect(recorded).toBeGreaterThanOrEqual(20);
    expect(recorded).toBeLessThanOrEqual(20 + Math.ceil((elapsedMs * 20) / 1000));
    const stats = tracer.stats();
    expect(stats.tracesStarted).toBe(2000);
    expect(stats.tracesRateLimited).toBe(2000 - recorded);
    expect(stats.tracesUnsampled).toBe(0);
  });

  it('caps `sampled: true` too', () => {
    const { recorded, elapsedMs } = forgedBurst({ maxTracesPerSecond: 20, sampled: true });
    expect(recorded).toBeLessThanOrEqual(20 + Math.ceil((elapsedMs * 20) / 1000));
  });

  it('a refused trace propagates as unsampled, so downstream services drop it too', () => {
    const tracer = createTracer({
      serviceName: 'edge',
      exporter: memoryExporter(),
      maxTracesPerSecond: 1,
    });
    expect(tracer.startTrace('first').sampled).toBe(true);
    const refused = tracer.startTrace('second');
    expect(refused.sampled).toBe(false);
    expect(refused.headers().traceparent).toMatch(/-0[02]$/);
  });

  it('leaves traces the sampler refused to the sampler (counted as unsampled, not rate-limited)', () => {
    const tracer = createTracer({
      serviceName: 'edge',
      exporter: memoryExporter(),
      sampler: 'never',
      maxTracesPerSecond: 1,
    });
    for (let i = 0; i < 5; i++) tracer.startTrace('t');
    expect(tracer.stats()).toMatchObject({ tracesUnsampled: 5, tracesRateLimited: 0 });
  });
});
