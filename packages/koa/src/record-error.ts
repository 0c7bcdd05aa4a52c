import { stateOf } from './internal/request-state';

/**
 * Records an error your own error-handling middleware caught and answered, so
 * the trace still carries it. How it counts follows the final status, as for a
 * thrown error: with a 5xx the trace is an error, with a 4xx it is kept as an
 * exception event. Errors that propagate out of your middleware are recorded
 * without this. Does nothing outside a request traced by `tracing()`.
 *
 * @example
 * app.use(async (ctx, next) => {
 *   try {
 *     await next();
 *   } catch (err) {
 *     recordError(ctx, err);
 *     ctx.status = err.status ?? 500;
 *     ctx.body = { error: err.expose ? err.message : 'internal error' };
 *   }
 * });
 */
export function recordError(ctx: object, error: unknown): void {
  const state = stateOf(ctx);
  if (state !== undefined) state.error = error;
}
