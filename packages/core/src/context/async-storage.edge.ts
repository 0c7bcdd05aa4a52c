// The edge build's store (fetch runtimes: Cloudflare Workers, Vercel Edge). No
// static `node:async_hooks` import, so core loads where the runtime has none.
import type { AsyncStore } from './async-storage';

export type { AsyncStore } from './async-storage';

type BuiltinLoader = (id: string) => { AsyncLocalStorage?: new <T>() => AsyncStore<T> } | undefined;

/**
 * `AsyncLocalStorage` where the runtime offers it through
 * `process.getBuiltinModule` (workerd with `nodejs_compat`); otherwise a store
 * that keeps nothing, so core works with explicit handles only, as with
 * `createTracer({ context: false })`.
 */
export function newAsyncStore<T>(): AsyncStore<T> {
  try {
    const load = (globalThis as { process?: { getBuiltinModule?: BuiltinLoader } }).process
      ?.getBuiltinModule;
    const Storage =
      typeof load === 'function' ? load('node:async_hooks')?.AsyncLocalStorage : undefined;
    if (typeof Storage === 'function') return new Storage<T>();
  } catch {
    // Fall through to no implicit context.
  }
  return {
    getStore: () => undefined,
    run: (_store, fn) => fn(),
    enterWith: () => undefined,
  };
}
