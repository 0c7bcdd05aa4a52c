import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { currentSpan } from '@tracewire/core';
import { type Observable, tap } from 'rxjs';
import { describeHandler } from './internal/describe-handler';

/**
 * What `TracingModule.forRoot({ interceptor: true })` registers globally in
 * place of its default guard: names the request's server span by its route
 * template (`GET /users/:id`), records which controller method handled it, and
 * hands errors thrown by the handler, pipes or later interceptors to core,
 * where the final status decides how they count. The error itself passes
 * through unchanged, so exception filters see it as before. Because it wraps
 * the handler, it can run the handler inside the request's trace wherever the
 * context was lost before it. Other execution contexts (microservices,
 * WebSockets, GraphQL) pass through. It acts on requests whose trace the
 * module's middleware opened.
 *
 * @example
 * // A hybrid app's RPC handlers pass through it:
 * new TracingInterceptor().intercept(rpcContext, next) // === next.handle()
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = describeHandler(context);
    if (request === undefined) return next.handle();
    // Where something between the middleware and here lost the context (a body
    // parser resuming from a socket event), re-enter it for the handler: Nest
    // binds `handle()` to the async context it is called in.
    const handled =
      request.trace === undefined || currentSpan()?.trace === request.trace
        ? next.handle()
        : request.run(() => next.handle());
    // The module's hook on Nest's ExceptionsHandler records the same error again
    // (recording is idempotent); this keeps errors recorded should the hook not install.
    return handled.pipe(tap({ error: (error: unknown) => request.recordError(error) }));
  }
}
