import {
  type Context,
  createTraceState,
  propagation,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { extract, injectContext, type SpanContext } from '@tracewire/core';
import { tracewireSpanOf } from './bridge-span';
import { isDeferredSpan } from './bridge-tracer';
import { fromOtelBaggage, toOtelBaggage } from './internal/baggage';
import { SPAN_KEY } from './internal/keys';

const FIELDS = ['traceparent', 'tracestate', 'baggage'];

/**
 * OpenTelemetry's propagation API speaking tracewire's W3C Trace Context and
 * Baggage: the same parsing, validation and limits as tracewire's own headers.
 */
export class BridgePropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const otelSpan = context.getValue(SPAN_KEY);
      // tracewire records and propagates this call itself (see `deferredSpan`).
      if (isDeferredSpan(otelSpan)) return;
      const spanContext = spanContextOf(otelSpan);
      if (spanContext === undefined) return;
      const baggage = propagation.getBaggage(context);
      if (baggage !== undefined) {
        const map = fromOtelBaggage(baggage);
        if (map.size > 0) spanContext.baggage = map;
        else delete spanContext.baggage;
      }
      const headers = injectContext({} as Record<string, string>, spanContext);
      for (const name in headers) setter.set(carrier, name, headers[name]!);
    } catch {
      // A header we could not write leaves the call unpropagated, never failed.
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const read = (name: string) => getter.get(carrier, name);
      const remote = extract({ get: (name: string) => joined(read(name)) });
      if (remote === undefined) return context;
      let result = trace.setSpanContext(context, {
        traceId: remote.traceId,
        spanId: remote.spanId,
        traceFlags: (remote.sampled ? 1 : 0) | (remote.random ? 2 : 0),
        isRemote: true,
        traceState: remote.traceState ? createTraceState(remote.traceState) : undefined,
      });
      if (remote.baggage !== undefined && remote.baggage.size > 0) {
        result = propagation.setBaggage(result, toOtelBaggage(remote.baggage));
      }
      return result;
    } catch {
      return context;
    }
  }

  fields(): string[] {
    return FIELDS.slice();
  }
}

function spanContextOf(otelSpan: unknown): SpanContext | undefined {
  const span = tracewireSpanOf(otelSpan);
  if (span !== undefined) return { ...span.spanContext() };
  if (otelSpan === undefined || otelSpan === null) return undefined;
  const context = (otelSpan as { spanContext?: () => unknown }).spanContext?.() as
    | { traceId: string; spanId: string; traceFlags: number; traceState?: { serialize(): string } }
    | undefined;
  if (context === undefined || !trace.isSpanContextValid(context as never)) return undefined;
  const result: SpanContext = {
    traceId: context.traceId,
    spanId: context.spanId,
    sampled: (context.traceFlags & 1) === 1,
    random: (context.traceFlags & 2) === 2,
  };
  const state = context.traceState?.serialize();
  if (state) result.traceState = state;
  return result;
}

/** Several header lines of one name, as HTTP joins them (`tracestate`, `baggage`). */
function joined(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
