import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';

export interface NodeBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * `@hono/node-server` passes Node's `req`/`res` as `c.env.incoming`/`outgoing`.
 * Checked by shape, so a Workers binding that happens to be called `outgoing`
 * is not mistaken for a ServerResponse.
 */
export function nodeBindings(env: unknown): NodeBindings | undefined {
  if (env === null || typeof env !== 'object') return undefined;
  const { incoming, outgoing } = env as Partial<
    Record<'incoming' | 'outgoing', Record<string, unknown>>
  >;
  if (
    typeof incoming?.method === 'string' &&
    typeof outgoing?.once === 'function' &&
    typeof outgoing.setHeader === 'function'
  ) {
    return env as NodeBindings;
  }
  return undefined;
}

/** The edge runtime's `waitUntil`, if any. Hono's `c.executionCtx` getter throws when there is none. */
export function executionContext(c: Context): WaitUntil | undefined {
  try {
    const ctx = c.executionCtx as Partial<WaitUntil> | undefined;
    return typeof ctx?.waitUntil === 'function' ? (ctx as WaitUntil) : undefined;
  } catch {
    return undefined;
  }
}
