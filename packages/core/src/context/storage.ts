import { singleton } from '../internal/global';
import type { Span } from '../span';
import { newAsyncStore } from './async-storage';

/**
 * What the context carries: the active span (which knows its trace), the
 * `UNTRACED` marker inside `runUntraced`, where nothing may be recorded or
 * propagated (the exporters' own network calls run there), or a frame of a
 * bridged context system (an OpenTelemetry `Context`) naming its current
 * tracewire `span`, so both APIs share this one AsyncLocalStorage.
 */
export interface ContextCarrier {
  readonly isContextCarrier: true;
  /** Set by carriers that are not spans themselves: the span current in them. */
  readonly span?: Span | undefined;
}

export const UNTRACED: ContextCarrier = Object.freeze({ isContextCarrier: true as const });

const storage = singleton('als', () => newAsyncStore<ContextCarrier>());

export function activeCarrier(): ContextCarrier | undefined {
  return storage.getStore();
}

/** The tracewire span current in this async context, whatever kind of carrier holds it. */
export function activeSpan(): Span | undefined {
  const carrier = storage.getStore() as (ContextCarrier & { trace?: unknown }) | undefined;
  if (carrier === undefined) return undefined;
  // A span is its own carrier; compared by shape so a second loaded copy of core still matches.
  return carrier.trace !== undefined ? (carrier as unknown as Span) : carrier.span;
}

/** Runs `fn` with `carrier` as the current context, for its whole async life. */
export function runWithCarrier<R>(carrier: ContextCarrier, fn: () => R): R {
  return storage.run(carrier, fn);
}

/**
 * Makes `carrier` the current context for the rest of the current synchronous
 * call and everything it schedules from here on (`AsyncLocalStorage.enterWith`).
 * Only for putting back a context that something lost, where there is no
 * function to wrap in `runWithCarrier`.
 */
export function enterCarrier(carrier: ContextCarrier): void {
  storage.enterWith(carrier);
}

/**
 * Runs `fn` outside any trace: spans started and outgoing requests made inside
 * are neither recorded nor given a `traceparent`. The export pipeline sends
 * through here so it never traces itself.
 */
export function runUntraced<R>(fn: () => R): R {
  // Outside any context there is nothing to leave, and entering one would make
  // Node 20 turn on its promise hooks for the whole process: a `context: false`
  // tracer must never pay for AsyncLocalStorage because its exporter runs.
  if (storage.getStore() === undefined) return fn();
  return storage.run(UNTRACED, fn);
}

export function isUntraced(): boolean {
  return storage.getStore() === UNTRACED;
}
