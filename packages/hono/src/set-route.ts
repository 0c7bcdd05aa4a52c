import type { Context } from 'hono';
import { stateOf } from './internal/state';

/**
 * Names the current request's route yourself, when Hono's matched route is not
 * the name you want (a catch-all that dispatches further, a mounted app). An
 * explicit route is never overwritten by the matched one. Does nothing when
 * `tracing()` is not installed.
 *
 * @example
 * app.all('/rpc/*', (c) => {
 *   setRoute(c, `/rpc/${procedureName(c)}`);
 *   return handleRpc(c);
 * });
 */
export function setRoute(c: Context, route: string): void {
  const state = stateOf(c);
  if (state !== undefined && typeof route === 'string' && route !== '') state.route = route;
}
