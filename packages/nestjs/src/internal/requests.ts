import type { ServerRequest } from '@tracewire/core';

/**
 * The traced request of each raw Node request. Keyed by the raw
 * `IncomingMessage`, which Nest middleware gets on both platforms, while
 * guards and interceptors get Express's `req` (the same object) or Fastify's
 * `FastifyRequest` (which holds it as `raw`).
 */
const requests = new WeakMap<object, ServerRequest>();

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
