import { type ServerRequest, serverRequestOf } from '@tracewire/core/http';

/**
 * The traced request core keeps for a request: keyed by the raw Node
 * `IncomingMessage`, which Nest middleware gets on both platforms, while
 * guards, interceptors and Nest's exception handling get Express's `req` (the
 * same object) or Fastify's `FastifyRequest` (which holds it as `raw`).
 */
export function requestOf(req: unknown): ServerRequest | undefined {
  if (req === null || typeof req !== 'object') return undefined;
  const raw = (req as { raw?: unknown }).raw;
  return serverRequestOf(raw !== null && typeof raw === 'object' ? raw : req);
}

/** The raw Node request behind Express's `req` or Fastify's `FastifyRequest`. */
export function rawRequest(req: object): object {
  const raw = (req as { raw?: unknown }).raw;
  return raw !== null && typeof raw === 'object' ? raw : req;
}
