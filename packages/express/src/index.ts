/// <reference path="../express-request.d.ts" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpTracingOptions, Span, Trace } from '@tracewire/core';
import { endWithNodeResponse, httpServerTracing, is, nodeRequestInfo } from '@tracewire/core/http';
import { followDispatch, listenForDispatch } from './internal/dispatched-route';
import { exposeOnRequests } from './internal/request-properties';
import { routeTemplate } from './internal/route-template';
import {
  listenForRouterErrors,
  recordRequestError,
  type TracedRequest,
} from './internal/router-errors';

/** Options of `tracing()`: core's HTTP lifecycle options (tracer, ignore, name, attributes, ...). */
export interface ExpressTracingOptions extends HttpTracingOptions {
  /**
   * Express 5: record errors from the router's diagnostics channel, with no extra
   * middleware, and name routes from the patterns it publishes as it dispatches
   * (router >= 2.3). Default true. While anything listens there, the router wraps
   * every layer call in a tracing context of its own, which costs CPU on every
   * request; `false` does not listen: `tracingErrorHandler()` then records
   * errors, and routes are rebuilt from the router's data, as on Express 4.
   * Listening is process-wide: once any `tracing()` listens, the router wraps
   * layers for every app.
   */
  routerErrors?: boolean;
}

type Next = (error?: unknown) => void;

/** Express's own options, beside core's, for the options check. */
const EXPRESS_OPTIONS = { routerErrors: is.boolean };

type ExpressRequest = IncomingMessage &
  TracedRequest & { originalUrl?: string; app?: unknown; trace?: Trace; span?: Span };

/** An Express middleware; assignable to Express 4's and 5's `RequestHandler`. */
export type TracingMiddleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/** An Express error-handling middleware; assignable to `ErrorRequestHandler`. */
export type TracingErrorMiddleware = (
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: Next,
) => void;

/**
 * Express middleware that traces every request: continues the caller's
 * `traceparent`, opens the trace and its `server` span, makes it current for
 * the rest of the request (`currentSpan()`, `req.trace`, `req.span`), and ends
 * it once when the response finishes or the client goes away, named by the
 * full route template (`GET /api/users/:id`). Install it before the routes.
 * Without a `tracer` it uses the default tracer, configured from the environment.
 *
 * @example
 * const app = express();
 * app.use(tracing({ ignore: ['/health'] }));
 * app.get('/users/:id', handler);
 */
export function tracing(options: ExpressTracingOptions = {}): TracingMiddleware {
  const http = httpServerTracing(options, EXPRESS_OPTIONS);
  const dispatch = options.routerErrors !== false;
  if (dispatch) {
    listenForRouterErrors();
    listenForDispatch();
  }
  return function tracewire(incoming, res, next) {
    const req = incoming as ExpressRequest;
    http.handle(
      req,
      () => nodeRequestInfo(req),
      next,
      (request) => {
        const exposedBy = exposeOnRequests(req);
        if (exposedBy === undefined) {
          req.trace = request.trace;
          req.span = request.span;
        }
        // An unsampled request's route is never read: its dispatch is not followed.
        if (dispatch && request.isRecording) followDispatch(req);
        const app = exposedBy ?? req.app;
        endWithNodeResponse(request, res, () => ({ route: routeTemplate(req, app) }));
      },
    );
  };
}

/**
 * Records an error passed to `next(err)` or thrown by a handler on the
 * request's server span, then hands it on unchanged. Needed with Express 4,
 * where an error never leaves the router except through error-handling
 * middleware, and with `tracing({ routerErrors: false })`; Express 5 errors
 * are otherwise recorded without it. Install it after the
 * routes and before your own error handlers; it never answers the request.
 *
 * @example
 * app.use(tracing());
 * app.get('/users/:id', handler);
 * app.use(tracingErrorHandler());
 * app.use((err, req, res, next) => res.status(500).json({ error: 'internal' }));
 */
export function tracingErrorHandler(): TracingErrorMiddleware {
  return function tracewireErrors(error, req, _res, next) {
    try {
      recordRequestError(req as ExpressRequest, error);
    } catch {
      // Recording is best-effort; the error always goes on to the app's handlers.
    }
    next(error);
  };
}
