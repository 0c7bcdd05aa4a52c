import {
  createTracer,
  endWithNodeResponse,
  type HttpOutcome,
  type HttpServerTracing,
  type HttpTracingOptions,
  httpServerTracing,
  nodeRequestInfo,
  type ServerRequest,
  type Span,
  type Trace,
  type Tracer,
} from '@tracewire/core';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedHandlerRoute } from './internal/route';
import { executionContext, fetchRequestInfo, nodeBindings } from './internal/runtime';
import { attachState, type RequestState, stateOf } from './internal/state';
import { watchBody } from './internal/watch-body';

/** What `tracing()` puts on the context: `c.get('trace')`, `c.get('span')`. */
export interface TracingVariables {
  /** This request's trace (unsampled and recording nothing when the request is ignored). */
  trace: Trace;
  /** The trace's root `server` span. */
  span: Span;
}

/**
 * Hono middleware: one trace per request, continuing the caller's `traceparent`,
 * named by Hono's matched route (`GET /api/users/:id`), ended when the response
 * is finished — on Node by the socket, elsewhere when the body stream ends.
 *
 * @example
 * const app = new Hono<{ Variables: TracingVariables }>();
 * app.use(tracing({ tracer, ignore: ['/health'] }));
 * app.get('/users/:id', async (c) => {
 *   c.get('trace').update({ userId: c.req.param('id') });
 *   return c.json(await loadUser(c.req.param('id')));
 * });
 */
export function tracing(
  options: HttpTracingOptions = {},
): MiddlewareHandler<{ Variables: TracingVariables }> {
  const http = httpServerTracing(options);

  return async function tracewire(c, next) {
    // A second tracing() (e.g. also on a sub-app) sees the same context: one trace per request.
    if (stateOf(c) !== undefined) return next();
    const node = nodeBindings(c.env);
    const request = http.start(
      node !== undefined ? nodeRequestInfo(node.incoming) : fetchRequestInfo(c.req.raw),
    );
    const state: RequestState = { request, route: undefined, thrown: undefined };
    attachState(c, state);
    const trace = request.trace ?? untracedTrace();
    c.set('trace', trace);
    c.set('span', trace.rootSpan);

    // Node keeps running after the response, and Hono's `executionCtx` getter throws
    // (an Error with a stack, per request) where there is none: only edge runtimes ask.
    const ended = node === undefined ? keepAliveUntilEnded(c, http, trace) : undefined;
    // Read when the request ends, which on an abort can be before `next()` returns:
    // Hono matched the routes before any middleware ran, so the route is known.
    const outcome = (): HttpOutcome => {
      ended?.();
      return { route: state.route ?? matchedHandlerRoute(c), error: state.thrown ?? c.error };
    };

    if (node !== undefined) endWithNodeResponse(request, node.outgoing, outcome);
    try {
      await request.run(next);
    } catch (error) {
      // Hono hands Errors to onError; what reaches us is a non-Error value, or an error onError rethrew.
      state.thrown = error;
      if (node === undefined) request.end(outcome());
      throw error;
    }
    if (node === undefined) endWithResponse(c, request, outcome);
  };
}

/** Fetch runtimes: end when the response body has been fully handed on (or cancelled). */
function endWithResponse(c: Context, request: ServerRequest, outcome: () => HttpOutcome): void {
  const end = (extra?: HttpOutcome) => {
    if (request.isEnded) return;
    const { route, error } = outcome();
    request.end({ ...extra, route, error: extra?.error ?? error });
  };
  try {
    // Not finalized: a handler returned nothing and Hono answers after we return.
    if (!c.finalized) {
      end();
      return;
    }
    const res = c.res;
    const header = request.traceResponseHeader();
    const known: HttpOutcome = {
      statusCode: res.status,
      responseHeaders: res.headers,
      responseSize: contentLength(res.headers),
    };
    const body = res.body;
    // HEAD: Hono answers with the GET response's headers and drops its body unread.
    if (body === null || res.bodyUsed || c.req.method === 'HEAD') {
      if (header !== undefined && res.status >= 200) c.header('traceresponse', header);
      end(known);
      return;
    }
    const watched = new Response(
      watchBody(body, (aborted, error) => end({ ...known, aborted, error })),
      res,
    );
    if (header !== undefined) watched.headers.set('traceresponse', header);
    c.res = watched;
  } catch {
    end();
  }
}

/**
 * On edge runtimes the isolate may be frozen once the response is sent, so the
 * export would be lost: hand the runtime a promise that settles once this
 * request has ended and its trace has been flushed.
 */
function keepAliveUntilEnded(
  c: Context,
  http: HttpServerTracing,
  trace: Trace,
): (() => void) | undefined {
  if (!trace.rootSpan.isRecording) return undefined;
  const ctx = executionContext(c);
  if (ctx === undefined) return undefined;
  let resolve!: () => void;
  const ended = new Promise<void>((r) => {
    resolve = r;
  });
  try {
    ctx.waitUntil(ended.then(() => http.tracer.flush()).catch(() => undefined));
  } catch {
    return undefined;
  }
  return resolve;
}

function contentLength(headers: Headers): number | undefined {
  const value = headers.get('content-length');
  if (value === null) return undefined;
  const size = Number(value);
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

let fallbackTracer: Tracer | undefined;

/** Core could not open a trace (an internal failure): the handles still work, recording nothing. */
function untracedTrace(): Trace {
  fallbackTracer ??= createTracer({ serviceName: 'tracewire-untraced', enabled: false });
  return fallbackTracer.startTrace({ name: 'untraced', sampled: false });
}
