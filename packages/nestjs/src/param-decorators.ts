import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { currentSpan, type Span, type Trace } from '@tracewire/core';
import { requestOf } from './internal/requests';

function requestIn(context: ExecutionContext) {
  return context.getType() === 'http'
    ? requestOf(context.switchToHttp().getRequest<unknown>())
    : undefined;
}

/**
 * The request's `Trace` as a handler parameter (undefined when the request is
 * not traced).
 *
 * @example
 * @Get(':id')
 * find(@Param('id') id: string, @CurrentTrace() trace: Trace) {
 *   trace.update({ userId: id });
 * }
 */
export const CurrentTrace: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Trace | undefined =>
    requestIn(context)?.trace ?? currentSpan()?.trace,
);

/**
 * The span current when the handler is called (the request's `server` span,
 * unless an interceptor opened a child around the handler) as a parameter.
 *
 * @example
 * @Post()
 * create(@Body() body: Order, @CurrentSpan() span: Span) {
 *   span.setAttribute('order.items', body.items.length);
 * }
 */
export const CurrentSpan: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, _context: ExecutionContext): Span | undefined =>
    currentSpan() ?? requestIn(_context)?.span,
);
