import { contractHandlers, runAdapterContract } from '@tracewire/core/testing';
import { type TracingVariables, tracing } from '@tracewire/hono';
import { Hono } from 'hono';
import { stream, streamSSE } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { listen } from './listen';

runAdapterContract('hono 4 on @hono/node-server', async ({ options, installs = 1 }) => {
  const app = new Hono<{ Variables: TracingVariables }>();
  for (let i = 0; i < installs; i++) app.use(tracing(options));
  app.onError((_err, c) => c.json({ error: 'internal' }, 500));
  app.get('/users/:id', async (c) => c.json(await contractHandlers.user(c.req.param('id'))));
  app.get('/context', async (c) => c.json(await contractHandlers.context()));
  app.get('/status/:code', (c) =>
    c.body(null, Number(c.req.param('code')) as ContentfulStatusCode),
  );
  app.get('/fail', () => {
    throw new Error('boom');
  });
  app.get('/async-fail', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new Error('async boom');
  });
  app.get('/slow', async (c) => {
    await contractHandlers.slow();
    return c.json({ slow: true });
  });
  app.get('/stream', (c) => {
    c.header('content-type', 'text/plain');
    return stream(c, async (s) => {
      for (const chunk of contractHandlers.streamChunks()) {
        await s.write(chunk);
        await s.sleep(contractHandlers.chunkGapMs);
      }
    });
  });
  app.get('/sse', (c) =>
    streamSSE(c, async (s) => {
      for (let i = 0; i < 3; i++) {
        await s.writeSSE({ data: String(i) });
        await s.sleep(10);
      }
    }),
  );
  app.get('/health', (c) => c.text('ok'));
  app.get('/echo', (c) => c.text(c.req.url.split('?')[1] ?? ''));
  app.get('/call', async (c) => c.json(await contractHandlers.call()));
  return listen(app);
});
