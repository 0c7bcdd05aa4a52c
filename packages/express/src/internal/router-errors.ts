import { subscribe } from 'node:diagnostics_channel';
import { type ServerRequest, serverRequestOf } from '@tracewire/core/http';
import { isExpressApp } from './express-shapes';
import { rememberApp } from './reconstructed-route';

export type TracedRequest = { app?: unknown };

/** The traced request `tracing()` opened for `req` (core keeps it, keyed by `req`), if any. */
export function tracedRequest(req: object): ServerRequest | undefined {
  return serverRequestOf(req);
}

/**
 * Records `error` on the request's trace. While an error is still inside a
 * sub-app, `req.app` is that sub-app: remember it, so the route can be named
 * even when the parent app's error handler answers.
 */
export function recordRequestError(req: TracedRequest | undefined, error: unknown): void {
  if (req === undefined || req === null || typeof req !== 'object') return;
  const request = serverRequestOf(req);
  if (request === undefined) return;
  request.recordError(error);
  if (isExpressApp(req.app)) rememberApp(req.app);
}

/**
 * The `router` package (Express 5) publishes every error a handler throws,
 * rejects or passes to `next(err)` on this tracing channel, once, where it
 * arose (router >= 2.3). Listening here records errors with no extra
 * middleware; Express 4 has no such channel, hence `tracingErrorHandler()`.
 */
const ROUTER_ERRORS = 'tracing:express.router.request:error';

let listening = false;

export function listenForRouterErrors(): void {
  if (listening) return;
  listening = true;
  try {
    subscribe(ROUTER_ERRORS, onRouterError);
  } catch {
    // Without diagnostics_channel support, tracingErrorHandler() still works.
  }
}

function onRouterError(message: unknown): void {
  try {
    const { req, error } = message as { req?: TracedRequest; error?: unknown };
    if (error !== undefined) recordRequestError(req, error);
  } catch {
    // Never let tracing fail the router's own error handling.
  }
}
