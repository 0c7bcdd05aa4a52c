import type { Context } from '@opentelemetry/api';
import type { Span } from '@tracewire/core';
import type { ContextCarrier } from '@tracewire/core/http';
import { tracewireSpanOf } from './bridge-span';
import { SPAN_KEY } from './internal/keys';

const DELETED = Symbol('deleted');

/**
 * An OpenTelemetry `Context` that is also a tracewire context carrier: entered
 * into tracewire's one AsyncLocalStorage as it is, it names its tracewire `span`,
 * so `currentSpan()`, `span()` and logs see the OpenTelemetry active span, and
 * `context.active()` gives it back unchanged. Immutable, as OpenTelemetry
 * requires; a context made elsewhere (`ROOT_CONTEXT.setValue(...)`) is read
 * through as the `base` of a bridge context.
 */
export class BridgeContext implements Context, ContextCarrier {
  readonly isContextCarrier = true as const;
  readonly span: Span | undefined;

  constructor(
    private readonly values: ReadonlyMap<symbol, unknown>,
    private readonly base: Context | undefined,
  ) {
    const value = this.getValue(SPAN_KEY);
    this.span = tracewireSpanOf(value);
  }

  getValue(key: symbol): unknown {
    const value = this.values.get(key);
    if (value === DELETED) return undefined;
    if (value !== undefined || this.values.has(key)) return value;
    return this.base?.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    const values = new Map(this.values);
    values.set(key, value);
    return new BridgeContext(values, this.base);
  }

  deleteValue(key: symbol): Context {
    const values = new Map(this.values);
    if (this.base === undefined) values.delete(key);
    else values.set(key, DELETED);
    return new BridgeContext(values, this.base);
  }
}

const EMPTY: ReadonlyMap<symbol, unknown> = new Map();

/** An OpenTelemetry context from any implementation, as a bridge context. */
export function toBridgeContext(context: Context): BridgeContext {
  if (context instanceof BridgeContext) return context;
  return new BridgeContext(EMPTY, context);
}

/** A bridge context holding `values` and nothing else. */
export function bridgeContextOf(values: ReadonlyMap<symbol, unknown>): BridgeContext {
  return new BridgeContext(values, undefined);
}
