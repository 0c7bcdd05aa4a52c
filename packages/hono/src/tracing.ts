import type { HttpTracingOptions, Span, Trace } from '@tracewire/core';
import {
  endWithFetchResponse,
  endWithNodeResponse,
  fetchRequestInfo,
  type HttpOutcome,
  httpServerTracing,
  nodeRequestInfo,
  type ServerRequest,
} from '@tracewire/core/http';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedHandlerRoute } from './internal/route';
import { executionContext, nodeBindings } from './internal/runtime';
import { attachState, type RequestState } from './internal/state';
import { untracedTrace } from './internal/untraced';

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

  return function tracewire(c, next) {
    const node = nodeBindings(c.env);
    let state: RequestState | undefined;
    // Keyed on the context, which a sub-app's middleware shares: one trace per request.
    return http.handle(
      c,
      () => (node !== undefined ? nodeRequestInfo(node.incoming) : fetchRequestInfo(c.req.raw)),
      () => (state === undefined ? next() : runTraced(c, next, state, node === undefined)),
      (request) => {
        const trace = request.trace ?? untracedTrace();
        c.set('trace', trace);
        c.set('span', trace.rootSpan);
        if (node !== undefined && !request.isRecording) {
          // On Node nothing records an unsampled request's route, error or end: the header alone.
          // A fetch runtime still needs runTraced: the header goes on the Response it returns.
          endWithNodeResponse(request, node.outgoing);
          return;
        }
        const opened: RequestState = { request, route: undefined, thrown: undefined };
        attachState(c, opened);
        if (node !== undefined) endWithNodeResponse(request, node.outgoing, outcomeOf(c, opened));
        state = opened;
      },
      // Every Context is an instance of one class: a property is cheap.
      'property',
    );
  };
}

/** Read when the request ends; Hono matched the routes before any middleware ran. */
function outcomeOf(c: Context, state: RequestState): () => HttpOutcome {
  return () => ({ route: state.route ?? matchedHandlerRoute(c), error: state.thrown ?? c.error });
}

async function runTraced(
  c: Context,
  next: () => Promise<void>,
  state: RequestState,
  fetchRuntime: boolean,
): Promise<void> {
  const { request } = state;
  try {
    await next();
  } catch (error) {
    // Hono hands Errors to onError; what reaches us is a non-Error value, or an error onError rethrew.
    state.thrown = error;
    if (fetchRuntime) endFetch(c, request, state, undefined);
    throw error;
  }
  if (fetchRuntime) endFetch(c, request, state, c.finalized ? c.res : undefined);
}

/** Fetch runtimes: core ends the request with the response's body (not finalized: Hono answers after us). */
function endFetch(
  c: Context,
  request: ServerRequest,
  state: RequestState,
  response: Response | undefined,
): void {
  // Node keeps running after the response, and Hono's `executionCtx` getter throws
  // where there is none: only edge runtimes have a `waitUntil` to hand.
  const waitUntil = executionContext(c);
  const sent = endWithFetchResponse(request, response, outcomeOf(c, state), {
    method: c.req.method,
    waitUntil: waitUntil === undefined ? undefined : (promise) => waitUntil.waitUntil(promise),
  });
  if (sent !== undefined && sent !== response) c.res = sent;
}
