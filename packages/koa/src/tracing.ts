import type { HttpTracingOptions, Span, Trace } from '@tracewire/core';
import {
  endWithNodeResponse,
  type HttpOutcome,
  httpServerTracing,
  nodeRequestInfo,
} from '@tracewire/core/http';
import type { Context, Middleware, Next } from 'koa';
import { attachState, type KoaRequestState } from './internal/request-state';
import { routerRoute } from './internal/router-route';
import { isNodeStream, watchStreamBody } from './internal/stream-body';

const AT_HEAD = { traceResponse: 'head' } as const;

/** Options for `tracing()`: core's `HttpTracingOptions`, unchanged. */
export type KoaTracingOptions = HttpTracingOptions;

/**
 * What `tracing()` puts on `ctx.state`. Koa's `DefaultState` is augmented with
 * it; an app with its own state type adds it: `new Koa<MyState & TracingState>()`.
 */
export interface TracingState {
  /** This request's trace; absent only if tracing itself failed (the request then runs untraced). */
  trace?: Trace;
  /** The request's root `server` span. */
  span?: Span;
}

declare module 'koa' {
  interface DefaultState {
    trace?: Trace;
    span?: Span;
  }
}

/**
 * Koa middleware that traces every request: continues the caller's
 * `traceparent`, names the trace by the `@koa/router` route template, records
 * errors thrown downstream (and rethrows them unchanged), and ends the trace
 * when the response finishes, a streamed body ends or fails, or the client
 * goes away. Register it first, so it sees everything the app does.
 *
 * @example
 * const app = new Koa();
 * app.use(tracing({ ignore: ['/health'] }));
 * app.use(router.routes());
 */
export function tracing(options: KoaTracingOptions = {}): Middleware {
  const http = httpServerTracing(options);
  return function tracewireKoa(ctx, next) {
    let state: KoaRequestState | undefined;
    // Keyed on Node's request: installed twice (app and a mounted app), one trace.
    return http.handle(
      ctx.req,
      () => nodeRequestInfo(ctx.req),
      () => (state === undefined ? next() : runTraced(ctx, next, state)),
      (request) => {
        ctx.state.trace = request.trace;
        ctx.state.span = request.span;
        // Koa's error path removes every header: traceresponse goes on as the head is written.
        if (!request.isRecording) {
          // Nothing records an unsampled request's route, error or end: the header alone.
          endWithNodeResponse(request, ctx.res, undefined, AT_HEAD);
          return;
        }
        const opened = attachState(ctx, request);
        endWithNodeResponse(request, ctx.res, () => outcomeOf(ctx, opened), AT_HEAD);
        state = opened;
      },
      // Node's request keeps its class (Koa does not replace its prototype): a property is cheap.
      'property',
    );
  };
}

function outcomeOf(ctx: Context, state: KoaRequestState): HttpOutcome {
  return { route: state.userRoute ?? routerRoute(ctx), error: state.error };
}

function runTraced(ctx: Context, next: Next, state: KoaRequestState): Promise<void> {
  const { request } = state;
  const res = ctx.res;
  const outcome = () => outcomeOf(ctx, state);
  return next().then(
    () => {
      if (ctx.respond === false || !isNodeStream(ctx.body)) return;
      watchStreamBody(ctx.body, res, (error) => {
        state.error = error;
        // Koa already answered (the stream failed before its first byte); 'finish' ends the trace.
        if (res.writableEnded) return;
        // Nothing more will reach the client (Koa 3 destroys the response, Koa 2 leaves it
        // hanging); end as the response ends when the connection closes first: aborted.
        request.end({
          statusCode: res.headersSent ? res.statusCode : undefined,
          aborted: true,
          ...outcome(),
        });
      });
    },
    (error: unknown) => {
      // Koa's error path clears every header; core adds traceresponse as the head is written.
      state.error = error;
      throw error;
    },
  );
}
