import type { ServerRequest } from '@tracewire/core';

/**
 * Where the module keeps the traced request: keyed by the raw Node
 * `IncomingMessage`, which Nest middleware gets on both platforms, while
 * guards, interceptors and Nest's exception handling get Express's `req` (the
 * same object) or Fastify's `FastifyRequest` (which holds it as `raw`).
 *
 * A weak map rather than a property on the request: Express swaps every
 * request's prototype, and V8 then builds new hidden classes for each property
 * added afterwards (about 10,000 instructions per request on platform-express).
 * Shared process-wide under a registered symbol, so that a second loaded copy
 * of this package (its ESM and CJS builds, say) finds what the first
 * remembered: the hook on Nest's `ExceptionsHandler` is installed by whichever
 * copy came first and serves them all.
 */
const requests = sharedMap(Symbol.for('tracewire.nestjs.requests'));

function sharedMap(key: symbol): WeakMap<object, ServerRequest> {
  const registry = globalThis as { [key: symbol]: WeakMap<object, ServerRequest> | undefined };
  const existing = registry[key];
  if (existing !== undefined) return existing;
  const created = new WeakMap<object, ServerRequest>();
  registry[key] = created;
  return created;
}

export function remember(req: object, request: ServerRequest): void {
  requests.set(req, request);
}

export function isTraced(req: object): boolean {
  return requests.has(req);
}

export function requestOf(req: unknown): ServerRequest | undefined {
  if (req === null || typeof req !== 'object') return undefined;
  const raw = (req as { raw?: unknown }).raw;
  return requests.get(raw !== null && typeof raw === 'object' ? raw : req);
}
