import { span } from '../context/current';
import type { SpanOptions } from '../span';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

interface ReflectWithMetadata {
  getMetadataKeys?(target: object): unknown[];
  getMetadata?(key: unknown, target: object): unknown;
  defineMetadata?(key: unknown, value: unknown, target: object): void;
}

/**
 * Wraps a method in a span named `Class.method` (or `name`), a child of the
 * current span. Works as a TypeScript legacy decorator (`experimentalDecorators`,
 * as NestJS uses) and as a standard decorator. Outside a trace the method runs
 * unchanged.
 *
 * @example
 * class Orders {
 *   @traced()
 *   async load(id: string) { return db.orders.find(id); }
 * }
 */
export function traced(name?: string, options?: SpanOptions) {
  return function decorate(...args: unknown[]): any {
    const context = args[1];
    if (args.length === 2 && typeof context === 'object' && context !== null && 'kind' in context) {
      const method = args[0] as AnyFunction;
      const methodName = String((context as unknown as { name: string | symbol }).name.toString());
      return wrapMethod(method, methodName, name, options);
    }
    const [, key, descriptor] = args as [object, string | symbol, PropertyDescriptor];
    if (!descriptor || typeof descriptor.value !== 'function') {
      throw new TypeError('tracewire: @traced() can only decorate methods.');
    }
    const original = descriptor.value as AnyFunction;
    descriptor.value = wrapMethod(original, String(key.toString()), name, options);
    copyMetadata(original, descriptor.value as object);
    return descriptor;
  };
}

function wrapMethod(
  method: AnyFunction,
  methodName: string,
  name: string | undefined,
  options: SpanOptions | undefined,
): AnyFunction {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const owner = (this as { constructor?: { name?: string } } | undefined)?.constructor?.name;
    const spanName = name ?? (owner && owner !== 'Object' ? `${owner}.${methodName}` : methodName);
    return span(spanName, () => method.apply(this, args), options);
  };
  Object.defineProperty(wrapped, 'name', { value: method.name, configurable: true });
  return wrapped;
}

/** Keeps metadata other decorators (e.g. NestJS's) put on the original method. */
function copyMetadata(from: object, to: object): void {
  const reflect = Reflect as unknown as ReflectWithMetadata;
  if (!reflect.getMetadataKeys || !reflect.getMetadata || !reflect.defineMetadata) return;
  for (const key of reflect.getMetadataKeys(from)) {
    reflect.defineMetadata(key, reflect.getMetadata(key, from), to);
  }
}
