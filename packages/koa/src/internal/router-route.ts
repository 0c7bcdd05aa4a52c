/** The parts of an `@koa/router` layer this adapter reads (it never imports the router). */
interface RouterLayer {
  path?: unknown;
  methods?: unknown;
}

/** What `@koa/router` (and the older `koa-router`) leaves on `ctx`. */
interface RouterContext {
  method: string;
  _matchedRoute?: unknown;
  matched?: unknown;
}

/**
 * The route template `@koa/router` matched, read when the response ends.
 *
 * The router sets `ctx._matchedRoute` to its most specific route before running
 * the matched layers, then each layer overwrites it as it runs, so its final
 * value names the route whose handler actually answered. A `router.use()`
 * middleware layer also writes its own path there (`/api`, or an internal
 * pattern like `(?:\/|$)` when mounted without a path); when such a layer ran
 * last (say, an auth check answering 401 before the route), the template is
 * taken from the most specific route layer in `ctx.matched` for this method,
 * which is the router's own first pick.
 */
export function routerRoute(ctx: RouterContext): string | undefined {
  const value = ctx._matchedRoute;
  if (value === undefined || value === null) return undefined;
  const layers = ctx.matched;
  if (!Array.isArray(layers)) return template(value);
  let mostSpecific: unknown;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i] as RouterLayer | null | undefined;
    const methods = layer?.methods;
    if (!Array.isArray(methods) || methods.length === 0) continue;
    if (layer!.path === value) return template(value);
    if (mostSpecific === undefined && methods.includes(ctx.method)) mostSpecific = layer!.path;
  }
  return template(mostSpecific ?? value);
}

function template(path: unknown): string | undefined {
  if (typeof path === 'string') return path;
  // A RegExp route has no template; its source is bounded, unlike the raw path.
  if (path instanceof RegExp) return String(path);
  return undefined;
}
