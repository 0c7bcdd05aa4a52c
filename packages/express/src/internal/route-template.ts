import { dispatchedTemplate } from './dispatched-route';
import { type RequestShape, reconstructedTemplate } from './reconstructed-route';

/**
 * The full route template (`/api/v1/users/:id`) of the Route that handled the
 * request: as the router dispatched it where it says (Express 5, router >= 2.3,
 * `routerErrors` on), else reconstructed from its data (Express 4, router 2.2).
 * Undefined when no route handled the request (404, or answered by middleware).
 */
export function routeTemplate(req: RequestShape, tracedApp: unknown): string | undefined {
  if (req.route === null || typeof req.route !== 'object') return undefined;
  return dispatchedTemplate(req) ?? reconstructedTemplate(req, tracedApp);
}
