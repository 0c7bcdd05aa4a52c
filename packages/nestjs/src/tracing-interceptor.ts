import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
} from '@nestjs/common';
import { currentSpan, type HttpTracingOptions } from '@tracewire/core';
import {
  endWithNodeResponse,
  HttpServerTracing,
  httpServerTracing,
  nodeRequestInfo,
  type ServerRequest,
} from '@tracewire/core/http';
import { type Observable, tap } from 'rxjs';
import { describeHandler } from './internal/describe-handler';
import { rawRequest, requestOf } from './internal/requests';
import { matchedRoute } from './internal/route';
import { HTTP_TRACING } from './internal/tokens';

/**
 * Traces HTTP requests from the interceptor on, used the Nest way on its own
 * (`app.useGlobalInterceptors(new TracingInterceptor())`,
 * `@UseInterceptors(TracingInterceptor)`), or registered by
 * `TracingModule.forRoot({ interceptor: true })`. On its own it opens the
 * request's trace (continuing `traceparent`), names it by the route template
 * (`GET /users/:id`), records the controller method and what the handler,
 * pipes or later interceptors throw (the error passes through unchanged, so
 * exception filters see it as before), and ends it with the response. With
 * `TracingModule` the module's middleware has opened the trace already, so
 * guards and middleware run inside it too; the interceptor then only names it
 * and, because it wraps the handler, gives the handler its trace back wherever
 * the context was lost before it. Other execution contexts (microservices,
 * WebSockets, GraphQL) pass through.
 *
 * @example
 * const app = await NestFactory.create(AppModule);
 * app.useGlobalInterceptors(new TracingInterceptor({ tracer }));
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor {
  private readonly http: HttpServerTracing;

  /** `options`: as `TracingModule.forRoot()`'s (default: the default tracer, from the environment). */
  constructor(@Optional() @Inject(HTTP_TRACING) options?: HttpTracingOptions | HttpServerTracing) {
    this.http = options instanceof HttpServerTracing ? options : httpServerTracing(options ?? {});
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<unknown>();
    if (requestOf(req) !== undefined || req === null || typeof req !== 'object') {
      return handleTraced(context, next);
    }
    // No TracingModule middleware saw this request: the trace starts here.
    const raw = rawRequest(req) as IncomingMessage;
    const reply = http.getResponse<{ raw?: ServerResponse } & ServerResponse>();
    const res = (reply?.raw ?? reply) as ServerResponse;
    return this.http.handle(
      raw,
      () => nodeRequestInfo(raw),
      () => handleTraced(context, next),
      (request) => endWithNodeResponse(request, res, () => ({ route: matchedRoute(req) })),
    );
  }
}

function handleTraced(context: ExecutionContext, next: CallHandler): Observable<unknown> {
  const request = describeHandler(context);
  if (request === undefined) return next.handle();
  // Where something between the middleware and here lost the context (a body
  // parser resuming from a socket event), re-enter it for the handler: Nest
  // binds `handle()` to the async context it is called in.
  const handled =
    request.trace === undefined || currentSpan()?.trace === request.trace
      ? next.handle()
      : request.run(() => next.handle());
  // An unsampled request records no error: nothing to watch for.
  if (!request.isRecording) return handled;
  // With TracingModule, its hook on Nest's ExceptionsHandler records the same error
  // again (recording is idempotent); on its own, this is where errors are recorded.
  return handled.pipe(tap({ error: (error: unknown) => recordOn(request, error) }));
}

function recordOn(request: ServerRequest, error: unknown): void {
  request.recordError(error);
}
