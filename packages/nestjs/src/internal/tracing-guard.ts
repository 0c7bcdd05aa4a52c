import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { describeHandler } from './describe-handler';

/**
 * What `TracingModule` registers by default: a global guard that names the
 * span by its route, records the controller method, and always lets the
 * request through. A guard is a plain call, where any interceptor at all puts
 * every request through Nest's RxJS pipeline. What the handler throws is seen
 * by the module's hook on Nest's exception handling, not here. If something
 * between the middleware and here lost the context, it puts the request's
 * trace back for the pipes and the handler that Nest calls after it.
 */
@Injectable()
export class TracingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    describeHandler(context)?.resume();
    return true;
  }
}
