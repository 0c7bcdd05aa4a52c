import type { Context, ContextManager } from '@opentelemetry/api';
import type { Span } from '@tracewire/core';
import { activeCarrier, isUntraced, runWithCarrier } from '@tracewire/core/http';
import { BridgeContext, bridgeContextOf, toBridgeContext } from './bridge-context';
import { otelSpanFor } from './bridge-span';
import { toOtelBaggage } from './internal/baggage';
import { SPAN_KEY, SUPPRESS_TRACING_KEY } from './internal/keys';

const BAGGAGE_KEY = Symbol.for('OpenTelemetry Baggage Key');
const ROOT = bridgeContextOf(new Map());
const UNTRACED_CONTEXT = bridgeContextOf(new Map([[SUPPRESS_TRACING_KEY, true]]));

/** One OpenTelemetry view per tracewire span, so `getActiveSpan()` is stable. */
const views = new WeakMap<Span, BridgeContext>();

/**
 * OpenTelemetry's context API on tracewire's AsyncLocalStorage: `with()` enters
 * the OpenTelemetry context as tracewire's carrier, and `active()` reads the
 * carrier back, viewing a span tracewire made current (a request's server span,
 * `span(name, fn)`) as an OpenTelemetry context that holds it.
 */
export class BridgeContextManager implements ContextManager {
  active(): Context {
    const carrier = activeCarrier();
    if (carrier === undefined) return ROOT;
    if (carrier instanceof BridgeContext) return carrier;
    if (isUntraced()) return UNTRACED_CONTEXT;
    const span =
      (carrier as { trace?: unknown }).trace !== undefined ? (carrier as Span) : carrier.span;
    if (span === undefined) {
      // A carrier of another loaded copy of this package is itself an OpenTelemetry context.
      return typeof (carrier as Partial<Context>).getValue === 'function'
        ? (carrier as unknown as Context)
        : ROOT;
    }
    return contextOfSpan(span);
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const carrier = context === undefined || context === null ? ROOT : toBridgeContext(context);
    return runWithCarrier(carrier, () => fn.apply(thisArg, args));
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target === 'function') return this.bindFunction(context, target);
    if (isEventEmitter(target)) bindEmitter(this, context, target);
    return target;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }

  private bindFunction<T>(context: Context, target: T): T {
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    const bound = function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => fn.apply(this, args));
    };
    Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
    return bound as unknown as T;
  }
}

function contextOfSpan(span: Span): BridgeContext {
  let context = views.get(span);
  if (context === undefined) {
    const values = new Map<symbol, unknown>([[SPAN_KEY, otelSpanFor(span)]]);
    const baggage = span.trace.baggage;
    if (baggage !== undefined && baggage.size > 0) values.set(BAGGAGE_KEY, toOtelBaggage(baggage));
    context = bridgeContextOf(values);
    views.set(span, context);
  }
  return context;
}

/** The OpenTelemetry context in which a tracewire span is the active span. */
export function contextForSpan(span: Span): Context {
  return contextOfSpan(span);
}

interface Emitter {
  on(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  addListener(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
}

const ADDERS = ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener'] as const;
const REMOVERS = ['off', 'removeListener'] as const;
const BOUND = Symbol('tracewire.boundListeners');

function isEventEmitter(value: unknown): value is Emitter {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Emitter).on === 'function' &&
    typeof (value as Emitter).addListener === 'function' &&
    typeof (value as Emitter).removeListener === 'function'
  );
}

/**
 * Listeners added to `emitter` from now on run in `context`; removing the
 * original listener removes its bound version. Binding twice is a no-op.
 */
function bindEmitter(manager: BridgeContextManager, context: Context, emitter: Emitter): void {
  const target = emitter as unknown as Record<string | symbol, unknown>;
  if (target[BOUND] !== undefined) return;
  const bound = new WeakMap<object, Map<string | symbol, Array<(...a: unknown[]) => void>>>();
  target[BOUND] = bound;
  for (const name of ADDERS) {
    const original = target[name] as ((...a: unknown[]) => unknown) | undefined;
    if (typeof original !== 'function') continue;
    target[name] = function (
      this: unknown,
      event: string | symbol,
      listener: (...a: unknown[]) => void,
    ) {
      if (typeof listener !== 'function') return original.call(this, event, listener);
      const wrapped = manager.bind(context, listener);
      let byEvent = bound.get(listener);
      if (byEvent === undefined) {
        byEvent = new Map();
        bound.set(listener, byEvent);
      }
      const list = byEvent.get(event);
      if (list === undefined) byEvent.set(event, [wrapped]);
      else list.push(wrapped);
      return original.call(this, event, wrapped);
    };
  }
  for (const name of REMOVERS) {
    const original = target[name] as ((...a: unknown[]) => unknown) | undefined;
    if (typeof original !== 'function') continue;
    target[name] = function (
      this: unknown,
      event: string | symbol,
      listener: (...a: unknown[]) => void,
    ) {
      const wrapped = bound.get(listener)?.get(event)?.pop();
      return original.call(this, event, wrapped ?? listener);
    };
  }
}
