import type { ServerRequest } from '@tracewire/core/http';
import type { Context } from 'hono';

/** Per-request bookkeeping, keyed by Hono's context (one per request, shared by sub-apps). */
export interface RequestState {
  request: ServerRequest;
  /** Set by `setRoute()`; wins over the matched route. */
  route: string | undefined;
  /** A non-Error value thrown through the middleware (Hono only hands `Error`s to onError). */
  thrown: unknown;
}

/**
 * Kept on the context itself under a registered symbol (a second loaded copy
 * agrees): a plain property costs less per request than a WeakMap entry.
 */
const STATE = Symbol.for('tracewire.hono.request');

export function stateOf(c: Context): RequestState | undefined {
  return (c as unknown as Record<symbol, RequestState | undefined>)[STATE];
}

export function attachState(c: Context, state: RequestState): void {
  (c as unknown as Record<symbol, RequestState>)[STATE] = state;
}
