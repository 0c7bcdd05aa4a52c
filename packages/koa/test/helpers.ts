import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import Router from '@koa/router';
import type { HttpTracingOptions } from '@tracewire/core';
import { type ContractApp, contractHandlers } from '@tracewire/core/testing';
import { tracing } from '@tracewire/koa';
import Koa from 'koa';
import Koa2 from 'koa2';

/** Both supported Koa majors, each run through the same tests. */
export const koaMajors: Array<[string, typeof Koa]> = [
  ['koa 2', Koa2],
  ['koa 3', Koa],
];

/** A real server for `app` on 127.0.0.1 with a port of its own. */
export async function listen(app: {
  callback(): RequestListener;
}): Promise<ContractApp & { server: Server }> {
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Emits `chunks` with a pause before each, then fails with `failure` if given. */
export function slowStream(chunks: string[], gapMs: number, failure?: Error): Readable {
  return Readable.from(
    (async function* () {
      for (const chunk of chunks) {
        await delay(gapMs);
        yield chunk;
      }
      if (failure) {
        await delay(gapMs);
        throw failure;
      }
    })(),
  );
}

/** The contract routes, served by `@koa/router` behind `tracing()`. */
export function contractApp(KoaClass: typeof Koa, options: HttpTracingOptions, installs = 1): Koa {
  const app = new KoaClass();
  // Koa would log every contract error to stderr; its error handling is otherwise unchanged.
  app.silent = true;
  for (let i = 0; i < installs; i++) app.use(tracing(options));
  const router = new Router();
  router.get('/users/:id', async (ctx) => {
    ctx.body = await contractHandlers.user(ctx.params.id!);
  });
  router.get('/context', async (ctx) => {
    ctx.body = await contractHandlers.context();
  });
  router.get('/status/:code', (ctx) => {
    ctx.status = Number(ctx.params.code);
  });
  router.get('/fail', () => {
    throw new Error('boom');
  });
  router.get('/async-fail', async () => {
    await delay(5);
    throw new Error('async boom');
  });
  router.get('/slow', async (ctx) => {
    await contractHandlers.slow();
    ctx.body = { slow: true };
  });
  router.get('/stream', (ctx) => {
    ctx.type = 'text/plain';
    ctx.body = slowStream(contractHandlers.streamChunks(), contractHandlers.chunkGapMs);
  });
  router.get('/sse', (ctx) => {
    ctx.type = 'text/event-stream';
    ctx.body = slowStream(['data: 0\n\n', 'data: 1\n\n', 'data: 2\n\n'], 10);
  });
  router.get('/health', (ctx) => {
    ctx.body = 'ok';
  });
  router.get('/echo', (ctx) => {
    ctx.body = ctx.querystring;
  });
  router.get('/call', async (ctx) => {
    ctx.body = await contractHandlers.call();
  });
  app.use(router.routes());
  return app;
}
