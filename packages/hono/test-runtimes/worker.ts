// Entry for Cloudflare Workers (workerd). The app is served as it is; the suite
// only counts the `executionCtx.waitUntil()` calls each request makes, in a header.
import type { ExecutionContext } from 'hono';
import { app } from './app';

export default {
  async fetch(request: Request, env: unknown, ctx: ExecutionContext): Promise<Response> {
    let waits = 0;
    const counted: ExecutionContext = {
      waitUntil(promise) {
        waits++;
        ctx.waitUntil(promise);
      },
      passThroughOnException: () => ctx.passThroughOnException(),
      props: ctx.props,
    };
    const response = await app.fetch(request, env, counted);
    const headers = new Headers(response.headers);
    headers.set('x-wait-until', String(waits));
    return new Response(response.body, { status: response.status, headers });
  },
};
