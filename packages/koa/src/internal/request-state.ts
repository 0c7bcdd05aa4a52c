import type { ServerRequest } from '@tracewire/core/http';

const STATE = Symbol.for('tracewire.koa.request');

/** What the middleware keeps on `ctx` for one request; read back by `setRoute()`/`recordError()`. */
export interface KoaRequestState {
  readonly request: ServerRequest;
  /** Set through `setRoute()`; wins over anything the router leaves on `ctx`. */
  userRoute: string | undefined;
  /** The app's error, thrown through the middleware or handed to `recordError()`. */
  error: unknown;
}

export function attachState(ctx: object, request: ServerRequest): KoaRequestState {
  const state: KoaRequestState = { request, userRoute: undefined, error: undefined };
  (ctx as Record<symbol, unknown>)[STATE] = state;
  return state;
}

export function stateOf(ctx: unknown): KoaRequestState | undefined {
  if (ctx === null || typeof ctx !== 'object') return undefined;
  return (ctx as Record<symbol, KoaRequestState | undefined>)[STATE];
}
