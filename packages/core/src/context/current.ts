import { noopSpan } from '../internal/noop';
import { injectContext } from '../propagation/propagator';
import { Span, type SpanOptions } from '../span';
import type { Trace } from '../trace';
import type { SpanContext } from '../types';
import { activeSpan } from './storage';

/** The span current in this async context, if a trace is active. */
export function currentSpan(): Span | undefined {
  return activeSpan();
}

/** The trace current in this async context, if any. */
export function currentTrace(): Trace | undefined {
  return currentSpan()?.trace;
}

/**
 * Runs `fn` in a child span of the current span. Outside a trace it simply runs
 * `fn` (with a span that records nothing), so library code can call it freely.
 *
 * @example
 * const rows = await span('db.query', async (s) => {
 *   s.setAttributes({ 'db.system': 'postgresql' });
 *   return db.query(sql);
 * });
 */
export function span<R>(name: string, fn: (span: Span) => R, options?: SpanOptions): R {
  const parent = currentSpan();
  if (parent === undefined) return fn(noopSpan());
  return parent.trace.startSpan(name, options, parent).wrap(fn);
}

/**
 * Writes `traceparent` (and `tracestate`/`baggage`) into `headers` for a call
 * made from `context` — by default the current span. Outside a trace, or inside
 * the exporter's own calls, headers are left unchanged.
 *
 * @example await fetch(url, { headers: inject({ accept: 'application/json' }) });
 */
export function inject<
  H extends Record<string, string> | { set(name: string, value: string): void },
>(headers: H, context?: SpanContext | Span): H {
  try {
    const source = context ?? currentSpan();
    if (source === undefined) return headers;
    const spanContext =
      source instanceof Span || 'trace' in source ? (source as Span).spanContext() : source;
    return injectContext(headers, spanContext as SpanContext);
  } catch {
    return headers;
  }
}
