import type { ServerRequest } from '@tracewire/core';

/**
 * Where the module keeps the traced request: on the raw Node `IncomingMessage`,
 * which Nest middleware gets on both platforms, while guards, interceptors and
 * Nest's exception handling get Express's `req` (the same object) or Fastify's
 * `FastifyRequest` (which holds it as `raw`). A registered symbol, so that a
 * second loaded copy of this package (its ESM and CJS builds, say) finds what
 * the first remembered: the hook on Nest's `ExceptionsHandler` is installed by
 * whichever copy came first and serves them all.
 */
const REQUEST = Symbol.for('tracewire.nestjs.request');

type Carrier = { [REQUEST]?: ServerRequest; raw?: unknown };

export function remember(req: object, request: ServerRequest): void {
  (req as Carrier)[REQUEST] = request;
}

export function isTraced(req: object): boolean {
  return (req as Carrier)[REQUEST] !== undefined;
}

export function requestOf(req: unknown): ServerRequest | undefined {
  if (req === null || typeof req !== 'object') return undefined;
  const raw = (req as Carrier).raw;
  return ((raw !== null && typeof raw === 'object' ? raw : req) as Carrier)[REQUEST];
}
