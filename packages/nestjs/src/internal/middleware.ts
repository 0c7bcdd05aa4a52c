import type { IncomingMessage, ServerResponse } from 'node:http';
import { endWithNodeResponse, type HttpServerTracing, nodeRequestInfo } from '@tracewire/core';
import { isTraced, remember, requestOf } from './requests';
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
    // into encapsulation contexts); only the first meeting opens the trace.
    if (isTraced(req)) {
      next();
      return;
    }
    const request = http.start(nodeRequestInfo(req));
    remember(req, request);
    // Express leaves the matched route on `req` even when a guard rejected the request.
    endWithNodeResponse(request, res, () => ({ route: matchedRoute(req) }));
    request.run(next);
  };
}

/** A Fastify `onRequest` hook that records the matched route on the request's trace. */
export function routeFromFastify(request: unknown, _reply: unknown, done: () => void): void {
  requestOf(request)?.setRoute(matchedRoute(request));
  done();
}
