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
 * Names the request's server span by its route template (`GET /users/:id`),
 * records which controller method handled it, and hands errors thrown by the
 * handler, pipes or later interceptors to core, where the final status decides
 * how they count. The error itself passes through unchanged, so exception
 * filters see it as before. Other execution contexts (microservices,
 * WebSockets, GraphQL) pass through. `TracingModule` registers it globally; it
 * acts on requests whose trace the module's middleware opened.
 *
 * @example
 * // Registered by TracingModule; a hybrid app's RPC handlers pass through it:
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
    return handled.pipe(tap({ error: (error: unknown) => request.recordError(error) }));
  }
}
