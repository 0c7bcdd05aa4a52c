import { AsyncLocalStorage } from 'node:async_hooks';

/** The part of `AsyncLocalStorage` the context uses. */
export interface AsyncStore<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
  enterWith(store: T): void;
}

/**
 * The implicit context's store: Node's `AsyncLocalStorage`. The edge build
 * (`async-storage.edge.ts`) finds it at run time, or does without.
 */
export function newAsyncStore<T>(): AsyncStore<T> {
  return new AsyncLocalStorage<T>();
}
