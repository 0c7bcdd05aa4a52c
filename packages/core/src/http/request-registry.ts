import type { ServerRequest } from './server-tracing';

/**
 * A weak map from a framework's request objects to their traced requests, for
 * adapters that must not add a property to the request: Express gives every
 * request a new prototype, and V8 then builds a new hidden class for each
 * property added afterwards (about 10,000 instructions per property per
 * request). One map per `name`, process-wide under `Symbol.for(name)`, so
 * every loaded copy of an adapter (its ESM and CJS builds, say) shares it.
 *
 * @example const requests = requestRegistry('tracewire.express.requests');
 * requests.set(req, http.start(nodeRequestInfo(req)));
 */
export function requestRegistry(name: string): WeakMap<object, ServerRequest> {
  const key = Symbol.for(name);
  const registry = globalThis as { [key: symbol]: WeakMap<object, ServerRequest> | undefined };
  const existing = registry[key];
  if (existing instanceof WeakMap) return existing;
  const created = new WeakMap<object, ServerRequest>();
  registry[key] = created;
  return created;
}
