/**
 * Nest's platform-express answers a request no route matched from a route of
 * its own, `*path` on a router mounted at the global prefix: left on
 * `req.route`, it is not a route of the app. Nest registers every controller
 * route with a leading slash, so this one cannot be the app's.
 */
const NOT_FOUND_ROUTE = '*path';

/**
 * The route template the platform matched, as Nest registered it: global
 * prefix, version and controller path included (`/api/v1/users/:id`). Express
 * keeps the matched route on `req.route`, Fastify on `request.routeOptions`.
 */
export function matchedRoute(req: unknown): string | undefined {
  if (req === null || typeof req !== 'object') return undefined;
  const { route, routeOptions } = req as {
    route?: { path?: unknown };
    routeOptions?: { url?: unknown };
  };
  const template = routeOptions?.url ?? route?.path;
  return typeof template === 'string' && template !== '' && template !== NOT_FOUND_ROUTE
    ? template
    : undefined;
}
