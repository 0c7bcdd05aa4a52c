import { request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { createTracer, currentSpan, span } from '@tracewire/core';
import { waitForTraces } from '@tracewire/core/testing';
import { tracing } from '@tracewire/express';
import type { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { fileTracer, listen, majors } from './support';

const { exporter, tracer } = fileTracer('express-context');

/** Library code far from the handler: it knows nothing about req. */
async function loadProfile(id: string) {
  await delay(2);
  return span('profile.load', async (child) => {
    child.setAttribute('profile.id', id);
    await new Promise((resolve) => setImmediate(resolve));
    return { id, spanSeenInside: currentSpan()?.id };
  });
}

describe.each(majors)('request context on $major', ({ express }) => {
  it('sets req.trace and req.span to the request trace and its server span', async () => {
    const app = express();
    app.use(tracing({ tracer }));
    app.get('/ids', (req: Request, res: Response) => {
      res.json({ traceId: req.trace?.id, spanId: req.span?.id, kind: req.span?.kind });
    });
    const res = await request(app).get('/ids');
    const [trace] = await waitForTraces(tracer, exporter, (t) => t.name === 'GET /ids');
    expect(res.body).toEqual({ traceId: trace!.id, spanId: trace!.rootSpanId, kind: 'server' });
  });

  it('reads req.trace and req.span from the app without adding them to each request', async () => {
    const app = express();
    app.use(tracing({ tracer }));
    const sub = express();
    sub.get('/inner', (req: Request, res: Response) => {
      res.json({ traceId: req.trace?.id, spanId: req.span?.id, own: Object.hasOwn(req, 'span') });
    });
    app.use('/sub', sub);
    app.get('/keys', (req: Request, res: Response) => {
      res.json({ keys: Object.keys(req).filter((key) => key === 'trace' || key === 'span') });
    });
    app.get('/assign', (req: Request, res: Response) => {
      const original = req.span;
      req.span = undefined;
      res.json({ cleared: req.span === undefined, had: original !== undefined });
    });

    const inner = await request(app).get('/sub/inner');
    const [trace] = await waitForTraces(tracer, exporter, (t) => t.name === 'GET /sub/inner');
    expect(inner.body).toEqual({ traceId: trace!.id, spanId: trace!.rootSpanId, own: false });
    expect((await request(app).get('/keys')).body).toEqual({ keys: [] });
    expect((await request(app).get('/assign')).body).toEqual({ cleared: true, had: true });
  });

  it('sets req.trace and req.span on the request when the app defines either name itself', async () => {
    const app = express();
    Object.defineProperty(app.request, 'span', { value: 'the app’s', writable: true });
    app.use(tracing({ tracer }));
    app.get('/own', (req: Request, res: Response) => {
      res.json({ own: Object.hasOwn(req, 'span'), spanId: req.span?.id, traceId: req.trace?.id });
    });
    const res = await request(app).get('/own');
    const [trace] = await waitForTraces(tracer, exporter, (t) => t.name === 'GET /own');
    expect(res.body).toEqual({ own: true, spanId: trace!.rootSpanId, traceId: trace!.id });
  });

  it('keeps currentSpan() in earlier and later middleware, the handler and its async callees', async () => {
    const app = express();
    app.use(tracing({ tracer }));
    const seen: Record<string, string | undefined> = {};
    app.use((_req: Request, _res: Response, next: NextFunction) => {
      seen.before = currentSpan()?.id;
      setTimeout(next, 2);
    });
    const router = express.Router();
    router.get('/:id', async (req: Request, res: Response, next: NextFunction) => {
      seen.handler = currentSpan()?.id;
      const profile = await loadProfile(String(req.params.id));
      seen.callee = profile.spanSeenInside;
      seen.afterAwait = currentSpan()?.id;
      res.locals.profile = profile;
      next();
    });
    app.use('/profiles', router);
    app.use((_req: Request, res: Response) => {
      seen.after = currentSpan()?.id;
      res.json(res.locals.profile);
    });

    await request(app).get('/profiles/9').expect(200);
    const [trace] = await waitForTraces(
      tracer,
      exporter,
      (t) => t.spans[0]!.attributes['url.path'] === '/profiles/9',
    );
    const server = trace!.spans[0]!;
    const child = trace!.spans.find((s) => s.name === 'profile.load');
    expect(child?.parentId).toBe(server.spanId);
    expect(child?.attributes['profile.id']).toBe('9');
    expect(seen).toEqual({
      before: server.spanId,
      handler: server.spanId,
      callee: child?.spanId,
      afterAwait: server.spanId,
      after: server.spanId,
    });
  });

  it('keeps currentSpan() after a body parser that waited for a slow body', async () => {
    const app = express();
    app.use(tracing({ tracer }));
    app.use(express.json());
    app.post('/orders', (req: Request, res: Response) => {
      res.json({
        spanId: currentSpan()?.id ?? null,
        expected: req.span?.id,
        items: req.body.items,
      });
    });
    const server = await listen(app);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          `${server.url}/orders`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              text += chunk;
            });
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.flushHeaders();
        setTimeout(() => {
          req.write('{"items":');
          setTimeout(() => req.end('[1,2]}'), 20);
        }, 20);
      });
      const parsed = JSON.parse(body) as {
        spanId: string | null;
        expected: string;
        items: number[];
      };
      expect(parsed.items).toEqual([1, 2]);
      expect(parsed.spanId).not.toBeNull();
      expect(parsed.spanId).toBe(parsed.expected);
    } finally {
      await server.close();
    }
  });

  it('gives concurrent requests their own context', async () => {
    const app = express();
    app.use(tracing({ tracer }));
    app.get('/echo/:n', async (req: Request, res: Response) => {
      await delay(Number(req.params.n) % 7);
      res.json({ spanId: currentSpan()?.id, expected: req.span?.id });
    });
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, n) => request(app).get(`/echo/${n}`)),
    );
    for (const res of responses) expect(res.body.spanId).toBe(res.body.expected);
    expect(new Set(responses.map((res) => res.body.spanId)).size).toBe(50);
  });

  it('still sets req.span with implicit context switched off', async () => {
    const explicitOnly = createTracer({
      serviceName: 'explicit',
      exporter,
      context: false,
      batch: { scheduledDelayMs: 5 },
    });
    const app = express();
    app.use(tracing({ tracer: explicitOnly }));
    app.get('/explicit', (req: Request, res: Response) => {
      res.json({ current: currentSpan()?.id ?? null, spanId: req.span?.id });
    });
    const res = await request(app).get('/explicit');
    const [trace] = await waitForTraces(explicitOnly, exporter, (t) => t.name === 'GET /explicit');
    expect(res.body).toEqual({ current: null, spanId: trace!.rootSpanId });
    await explicitOnly.shutdown();
  });
});
