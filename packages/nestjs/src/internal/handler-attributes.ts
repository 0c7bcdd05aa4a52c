import type { ExecutionContext } from '@nestjs/common';
import type { Attributes } from '@tracewire/core';

/** Built once per controller method (per class: a base class's method may serve several). */
const named = new WeakMap<object, WeakMap<object, Attributes>>();

/** `nest.controller`, `nest.handler` and `code.function.name` of the method handling a request. */
export function handlerAttributes(context: ExecutionContext): Attributes {
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
