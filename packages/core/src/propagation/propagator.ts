import type { HeaderGetter, SpanContext } from '../types';
import { formatBaggage, parseBaggage } from './baggage';
import {
  type HeaderCarrier,
  headerValue,
  type LowercaseHeaders,
  readHeader,
  setHeader,
} from './headers';
import { formatTraceparent, isValidIds, parseTraceparent } from './traceparent';
import { formatTracestate, parseTracestate } from './tracestate';

/**
 * Reads the caller's context from inbound headers. Without a valid
 * `traceparent` there is no context, and `tracestate` and `baggage` are not
 * read at all ("Tracestate Header": a vendor that failed to parse
 * `traceparent` MUST NOT parse `tracestate`). An invalid `tracestate` is
 * dropped without affecting `traceparent`. Never throws.
 *
 * @example const parent = extract(req.headers); // SpanContext | undefined
 */
export function extract(headers: HeaderGetter): SpanContext | undefined {
  const ctx = parseTraceparent(readHeader(headers, 'traceparent'));
  if (ctx === undefined) return undefined;
  return withState(ctx, readHeader(headers, 'tracestate'), readHeader(headers, 'baggage'));
}

/**
 * `extract()` for Node's `IncomingMessage.headers`, whose names are lowercase:
 * each header read by its literal name, a cheap property load where
 * `extract()`'s generic lookup is a search.
 */
export function extractLowercase(headers: LowercaseHeaders): SpanContext | undefined {
  const ctx = parseTraceparent(headerValue(headers.traceparent));
  if (ctx === undefined) return undefined;
  return withState(ctx, headerValue(headers.tracestate), headerValue(headers.baggage));
}

function withState(
  ctx: SpanContext,
  tracestate: string | string[] | undefined,
  baggage: string | string[] | undefined,
): SpanContext {
  if (tracestate !== undefined) {
    const entries = parseTracestate(tracestate);
    if (entries.length > 0) ctx.traceState = formatTracestate(entries);
  }
  if (baggage !== undefined) {
    const map = parseBaggage(baggage);
    if (map.size > 0) ctx.baggage = map;
  }
  return ctx;
}

/**
 * Writes `ctx` onto an outbound carrier: `traceparent` (version 00), and
 * `tracestate` and `baggage` only when they have members. `traceState` and
 * `baggage` are re-validated on the way out, so a hand-built context cannot put
 * an invalid header on the wire. A context with invalid ids writes nothing.
 * Returns the carrier; never throws.
 *
 * @example injectContext({}, span.context) // { traceparent: '00-…-…-01' }
 */
export function injectContext<C extends HeaderCarrier>(carrier: C, ctx: SpanContext): C {
  if (carrier === null || typeof carrier !== 'object' || ctx === null || typeof ctx !== 'object') {
    return carrier;
  }
  if (!isValidIds(ctx.traceId, ctx.spanId)) return carrier;
  setHeader(
    carrier,
    'traceparent',
    formatTraceparent({
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      sampled: ctx.sampled === true,
      random: ctx.random === true,
    }),
  );
  if (typeof ctx.traceState === 'string' && ctx.traceState.length > 0) {
    const tracestate = formatTracestate(parseTracestate(ctx.traceState));
    if (tracestate.length > 0) setHeader(carrier, 'tracestate', tracestate);
  }
  if (ctx.baggage instanceof Map && ctx.baggage.size > 0) {
    const baggage = formatBaggage(ctx.baggage);
    if (baggage.length > 0) setHeader(carrier, 'baggage', baggage);
  }
  return carrier;
}
