import { requestRegistry, type ServerRequest } from '@tracewire/core';

/**
 * Where the module keeps the traced request: keyed by the raw Node
 * `IncomingMessage`, which Nest middleware gets on both platforms, while
 * guards, interceptors and Nest's exception handling get Express's `req` (the
 * same object) or Fastify's `FastifyRequest` (which holds it as `raw`).
 *
 * A weak map rather than a property on the request, which Express gives a new
 * prototype per request; shared by every loaded copy of this package, since
 * the hook on Nest's `ExceptionsHandler` is installed by whichever copy came
 * first and serves them all.
 */
const requests = requestRegistry('tracewire.nestjs.requests');

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
