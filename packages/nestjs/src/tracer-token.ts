import { Inject } from '@nestjs/common';

/**
 * Injection token of the `Tracer` that `TracingModule` uses.
 *
 * @example
 * constructor(@Inject(TRACER) private readonly tracer: Tracer) {}
 */
export const TRACER = Symbol.for('tracewire.nestjs.tracer');

/**
 * Injects the `Tracer` that `TracingModule` uses.
 *
 * @example
 * constructor(@InjectTracer() private readonly tracer: Tracer) {}
 */
export function InjectTracer(): PropertyDecorator & ParameterDecorator {
  return Inject(TRACER);
}
