import type { ExecutionContext } from '@nestjs/common';
import type { Attributes } from '@tracewire/core';
import type { ServerRequest } from '@tracewire/core/http';
import { requestOf } from './requests';
import { matchedRoute } from './route';

/**
 * What the interceptor and the lean mode's guard both do when Nest hands a
 * request to its handler: name the request's span by the matched route and
 * record the controller method. Returns the traced request, or undefined for
 * other execution contexts and requests the module's middleware never saw.
 */
export function describeHandler(context: ExecutionContext): ServerRequest | undefined {
  if (context.getType() !== 'http') return undefined;
  const req = context.switchToHttp().getRequest<unknown>();
  const request = requestOf(req);
  if (request === undefined) return undefined;
  // An unsampled request's route and handler are never read: not worked out.
  if (!request.isRecording) return request;
  request.setRoute(matchedRoute(req));
  request.span?.setAttributes(handlerAttributes(context));
  return request;
}

/** Built once per controller method (per class: a base class's method may serve several). */
const named = new WeakMap<object, WeakMap<object, Attributes>>();

/** `nest.controller`, `nest.handler` and `code.function.name` of the method handling a request. */
function handlerAttributes(context: ExecutionContext): Attributes {
  const controller = context.getClass();
  const handler = context.getHandler();
  let byHandler = named.get(controller);
  if (byHandler === undefined) {
    byHandler = new WeakMap();
    named.set(controller, byHandler);
  }
  let attributes = byHandler.get(handler);
  if (attributes === undefined) {
    attributes = {};
    if (controller.name) attributes['nest.controller'] = controller.name;
    if (handler.name) attributes['nest.handler'] = handler.name;
    if (controller.name && handler.name) {
      attributes['code.function.name'] = `${controller.name}.${handler.name}`;
    }
    byHandler.set(handler, attributes);
  }
  return attributes;
}
