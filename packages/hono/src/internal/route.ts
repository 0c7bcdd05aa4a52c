import type { Context } from 'hono';

type AnyHandler = ((...args: never[]) => unknown) & Record<string | symbol, unknown>;

/**
 * The template of the last *handler* route Hono matched for this request, or
 * undefined when only middleware matched (a 404). `c.req.routePath` cannot be
 * used: inside a middleware it is that middleware's own pattern (`/api/*`).
 *
 * Handler vs middleware follows Hono's own rule (`hono/dev`'s inspectRoutes):
 * a function declared with `next` (two parameters) is middleware. Sub-apps with
 * their own `onError` are wrapped by `app.route()`; the wrapper points at the
 * original handler, under a string key in current Hono and a symbol in early 4.x.
 */
export function matchedHandlerRoute(c: Context): string | undefined {
  let routes: Array<{ path: string; handler: unknown }> | undefined;
  try {
    // The `hono/route` helper that replaces this getter only exists from 4.8;
    // the getter works across the whole 4.x peer range.
    routes = c.req.matchedRoutes;
  } catch {
    return undefined;
  }
  if (!Array.isArray(routes)) return undefined;
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route !== undefined && !isMiddleware(route.handler)) return route.path;
  }
  return undefined;
}

function isMiddleware(handler: unknown): boolean {
  let target = handler as AnyHandler | undefined;
  for (let depth = 0; depth < 8 && typeof target === 'function' && target.length > 1; depth++) {
    const inner = composedTarget(target);
    if (inner === undefined) return true;
    target = inner;
  }
  return typeof target !== 'function' || target.length > 1;
}

function composedTarget(handler: AnyHandler): AnyHandler | undefined {
  const byKey = handler.__COMPOSED_HANDLER;
  if (typeof byKey === 'function') return byKey as AnyHandler;
  for (const symbol of Object.getOwnPropertySymbols(handler)) {
    if (symbol.description === 'composedHandler') return handler[symbol] as AnyHandler;
  }
  return undefined;
}
