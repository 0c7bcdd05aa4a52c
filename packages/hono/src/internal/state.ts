import type { ServerRequest } from '@tracewire/core';
import type { Context } from 'hono';

/** Per-request bookkeeping, keyed by Hono's context (one per request, shared by sub-apps). */
export interface RequestState {
  request: ServerRequest;
  /** Set by `setRoute()`; wins over the matched route. */
  route: string | undefined;
  /** A non-Error value thrown through the middleware (Hono only hands `Error`s to onError). */
  thrown: unknown;
}

export const requests = new WeakMap<Context, RequestState>();
