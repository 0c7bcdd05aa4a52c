import { stateOf } from './internal/request-state';

/**
 * Names the current request's route yourself, for routes `@koa/router` does not
 * describe (a hand-written router, `koa-mount`, a catch-all). A route set here is
 * never overwritten by the router; the last call wins. Does nothing outside a
 * request traced by `tracing()`.
 *
 * @example
 * app.use(async (ctx, next) => {
 *   if (ctx.path.startsWith('/files/')) setRoute(ctx, '/files/*');
 *   await next();
 * });
 */
export function setRoute(ctx: object, template: string): void {
  if (typeof template !== 'string' || template === '') return;
  const state = stateOf(ctx);
  if (state !== undefined) state.userRoute = template;
}
