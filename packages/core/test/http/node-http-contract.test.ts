import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { endWithNodeResponse, httpServerTracing, nodeRequestInfo } from '@tracewire/core/http';
import { contractHandlers, runAdapterContract } from '@tracewire/core/testing';

/**
 * The contract run against plain node:http with a hand-written router: proves the
 * shared lifecycle itself, independent of any framework adapter.
 */
const routes: Array<
  [RegExp, string, (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) => unknown]
> = [
  [
    /^\/users\/([^/]+)$/,
    '/users/:id',
    async (_req, res, m) => json(res, 200, await contractHandlers.user(m[1]!)),
  ],
  [
    /^\/context$/,
    '/context',
    async (_req, res) => json(res, 200, await contractHandlers.context()),
  ],
  [
    /^\/status\/(\d+)$/,
    '/status/:code',
    (_req, res, m) => {
      res.statusCode = Number(m[1]);
      res.end();
    },
  ],
  [
    /^\/fail$/,
    '/fail',
    () => {
      throw new Error('boom');
    },
  ],
  [
    /^\/async-fail$/,
    '/async-fail',
    async () => {
      await delay(5);
      throw new Error('async boom');
    },
  ],
  [
    /^\/slow$/,
    '/slow',
    async (_req, res) => {
      await contractHandlers.slow();
      if (!res.destroyed) json(res, 200, { slow: true });
    },
  ],
  [
    /^\/stream$/,
    '/stream',
    async (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      for (const chunk of contractHandlers.streamChunks()) {
        res.write(chunk);
        await delay(contractHandlers.chunkGapMs);
      }
      res.end();
    },
  ],
  [
    /^\/sse$/,
    '/sse',
    async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 3; i++) {
        res.write(`data: ${i}\n\n`);
        await delay(10);
      }
      res.end();
    },
  ],
  [/^\/health$/, '/health', (_req, res) => res.end('ok')],
  [/^\/echo$/, '/echo', (req, res) => res.end(req.url?.split('?')[1] ?? '')],
  [/^\/call$/, '/call', async (_req, res) => json(res, 200, await contractHandlers.call())],
];

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

runAdapterContract('node:http', async ({ options, installs = 1 }) => {
  // `installs` layers of tracing around the router, as nested middleware would be.
  const layers = Array.from({ length: installs }, () => httpServerTracing(options));
  const server = createServer((req, res) => {
    const found: { route?: string; error?: unknown } = {};
    const app = async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      for (const [pattern, template, handler] of routes) {
        const match = pattern.exec(path);
        if (!match) continue;
        found.route = template;
        try {
          await handler(req, res, match);
        } catch (err) {
          found.error = err;
          json(res, 500, { error: 'internal' });
        }
        return;
      }
      json(res, 404, { error: 'not found' });
    };
    const traced = layers.reduceRight<() => unknown>(
      (inner, http) => () =>
        http.handle(
          req,
          () => nodeRequestInfo(req),
          inner,
          (request) =>
            endWithNodeResponse(request, res, () => ({ route: found.route, error: found.error })),
        ),
      app,
    );
    traced();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
