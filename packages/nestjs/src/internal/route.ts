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
  return typeof template === 'string' && template !== '' ? template : undefined;
}
