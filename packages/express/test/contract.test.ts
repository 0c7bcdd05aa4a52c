import { setTimeout as delay } from 'node:timers/promises';
import { contractHandlers, runAdapterContract } from '@tracewire/core/testing';
import { tracing, tracingErrorHandler } from '@tracewire/express';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { listen, majors } from './support';

const answer500: ErrorRequestHandler = (_error, _req, res, _next) => {
  res.status(500).json({ error: 'internal' });
};

for (const { major, express, version } of majors) {
  runAdapterContract(major, async ({ options, installs = 1 }) => {
    const app = express();
    for (let i = 0; i < installs; i++) app.use(tracing(options));
    app.get('/users/:id', async (req: Request, res: Response, next) => {
      try {
        res.json(await contractHandlers.user(String(req.params.id)));
      } catch (error) {
        next(error);
      }
    });
    app.get('/context', (_req, res, next) => {
      contractHandlers.context().then((body) => res.json(body), next);
    });
    app.get('/status/:code', (req, res) => {
      res.status(Number(req.params.code)).end();
    });
    app.get('/fail', () => {
      throw new Error('boom');
    });
    app.get('/async-fail', (_req, _res, next) => {
      // Express 5 forwards a rejected promise itself; Express 4 needs it passed to next.
      const work = delay(5).then(() => {
        throw new Error('async boom');
      });
      if (version === 5) return work;
      work.catch(next);
    });
    app.get('/slow', async (_req, res) => {
      await contractHandlers.slow();
      if (!res.destroyed) res.json({ slow: true });
    });
    app.get('/stream', async (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      for (const chunk of contractHandlers.streamChunks()) {
        res.write(chunk);
        await delay(contractHandlers.chunkGapMs);
      }
      res.end();
    });
    app.get('/sse', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 3; i++) {
        res.write(`data: ${i}\n\n`);
        await delay(10);
      }
      res.end();
    });
    app.get('/health', (_req, res) => {
      res.send('ok');
    });
    app.get('/echo', (req, res) => {
      res.send(req.originalUrl.split('?')[1] ?? '');
    });
    app.get('/call', (_req, res, next) => {
      contractHandlers.call().then((body) => res.json(body), next);
    });
    // Express 4 only reports errors through error middleware; Express 5 needs none.
    if (version === 4) app.use(tracingErrorHandler());
    app.use(answer500);
    return listen(app);
  });
}
