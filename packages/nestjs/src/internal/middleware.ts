import type { IncomingMessage, ServerResponse } from 'node:http';
import { endWithNodeResponse, type HttpServerTracing, nodeRequestInfo } from '@tracewire/core/http';
import { requestOf } from './requests';
import { matchedRoute } from './route';

/**
 * Nest middleware that opens the request's trace before anything else of Nest
 * runs (guards, pipes, interceptors, handler) and makes it current for the rest
 * of the request. Both platforms hand Nest middleware the raw Node `req`/`res`.
 */
export function tracingMiddleware(http: HttpServerTracing) {
  return function tracewire(
    req: IncomingMessage,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    // Nest may hand a request to this middleware twice (Fastify copies middleware
    // into encapsulation contexts); core traces it once, keyed on the request.
    http.handle(
      req,
      () => nodeRequestInfo(req),
      next,
      (request) =>
        // Express leaves the matched route on `req` even when a guard rejected the request.
        endWithNodeResponse(request, res, () => ({ route: matchedRoute(req) })),
    );
  };
}

/** A Fastify `onRequest` hook that records the matched route on the request's trace. */
export function routeFromFastify(request: unknown, _reply: unknown, done: () => void): void {
  requestOf(request)?.setRoute(matchedRoute(request));
  done();
}
