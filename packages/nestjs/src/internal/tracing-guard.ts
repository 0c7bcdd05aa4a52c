import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { describeHandler } from './describe-handler';

/**
 * What `TracingModule.forRoot({ interceptor: false })` registers instead of
 * `TracingInterceptor`: it names the span by its route and records the
 * controller method, as the interceptor does, and always lets the request
 * through. A guard is a plain call, where any interceptor at all puts every
 * request through Nest's RxJS pipeline; it cannot see what the handler throws,
 * so a failed request is recorded by its status alone.
 */
@Injectable()
export class TracingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    describeHandler(context);
    return true;
  }
}
