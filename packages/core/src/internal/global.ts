/**
 * Process-wide singletons live on `globalThis` under a registered symbol, so two
 * loaded copies of core (the ESM and CJS builds side by side, or a duplicated
 * install) still share one active context and one default tracer.
 */
const KEY = Symbol.for('tracewire.core.global.v1');

export interface GlobalState {
  [name: string]: unknown;
}

export function globalState(): GlobalState {
  const g = globalThis as unknown as Record<symbol, GlobalState | undefined>;
  let state = g[KEY];
  if (state === undefined) {
    state = {};
    g[KEY] = state;
  }
  return state;
}

/** Returns the process-wide value stored under `name`, creating it once. */
export function singleton<T>(name: string, create: () => T): T {
  const state = globalState();
  if (!(name in state)) state[name] = create();
  return state[name] as T;
}
