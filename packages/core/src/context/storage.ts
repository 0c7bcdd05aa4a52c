import { AsyncLocalStorage } from 'node:async_hooks';
import { singleton } from '../internal/global';

/**
 * What the context carries: the active span (which knows its trace), or the
 * `UNTRACED` marker inside `runUntraced`, where nothing may be recorded or
 * propagated (the exporters' own network calls run there).
 */
export interface ContextCarrier {
  readonly isContextCarrier: true;
}

export const UNTRACED: ContextCarrier = Object.freeze({ isContextCarrier: true as const });

const storage = singleton('als', () => new AsyncLocalStorage<ContextCarrier>());

export function activeCarrier(): ContextCarrier | undefined {
  return storage.getStore();
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
