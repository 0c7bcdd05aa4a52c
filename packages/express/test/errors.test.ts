import { setTimeout as delay } from 'node:timers/promises';
import type { SpanData, TraceData } from '@tracewire/core';
import { waitForTraces } from '@tracewire/core/testing';
import { tracing, tracingErrorHandler } from '@tracewire/express';
import type { Express, NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { fileTracer, majors } from './support';

const { exporter, tracer } = fileTracer('express-errors');

class PaymentError extends Error {}

async function traceOf(
  app: Express,
  path: string,
): Promise<{ status: number; trace: TraceData; server: SpanData }> {
  const res = await request(app).get(path);
  const [trace] = await waitForTraces(
    tracer,
    exporter,
    (t) => t.spans[0]!.attributes['url.path'] === path,
  );
  exporter.reset();
  return { status: res.status, trace: trace!, server: trace!.spans[0]! };
}

function exceptionEvents(span: SpanData) {
  return (span.events ?? []).filter((event) => event.name === 'exception');
}

describe.each(majors)('errors on $major', ({ express, version }) => {
  /**
   * The failing routes, then (on Express 4, where errors reach no one but error
   * middleware) tracingErrorHandler(), then the app's own error handler, if any.
   */
  function makeApp(answer?: number): Express {
    const app = express();
    app.use(tracing({ tracer }));
    app.get('/next/:kind', (_req: Request, _res: Response, next: NextFunction) => {
      next(new PaymentError('card declined'));
    });
    app.get('/throw', () => {
      throw new Error('sync throw');
    });
    app.get('/rejected', (_req: Request, _res: Response, next: NextFunction) => {
      const work = delay(2).then(() => {
        throw new Error('rejected later');
      });
      // Express 5 awaits the handler's promise; Express 4 needs the rejection passed on.
      if (version === 5) return work;
      work.catch(next);
    });
    app.param('orderId', (_req: Request, _res: Response, next: NextFunction, id: string) => {
      next(id === 'bad' ? new Error('no such order') : undefined);
    });
    app.get('/orders/:orderId', (_req: Request, res: Response) => {
      res.send('order');
    });
    const nested = express.Router();
    nested.use((_req: Request, _res: Response, next: NextFunction) =>
      next(new Error('nested middleware failed')),
    );
    nested.get('/thing', (_req: Request, res: Response) => {
      res.send('never');
    });
    app.use('/nested', nested);
    if (version === 4) app.use(tracingErrorHandler());
    if (answer !== undefined) {
      app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
        res.status(answer).json({ error: error.message });
      });
    }
    return app;
  }

  it.each([
    [undefined, 500],
    [500, 500],
    [503, 503],
  ])(
    'records next(err) as the error, with its stack (handler answering %s)',
    async (answer, status) => {
      const { status: got, trace, server } = await traceOf(makeApp(answer), '/next/card');
      expect(got).toBe(status);
      expect(trace.status).toBe('error');
      expect(trace.name).toBe('GET /next/:kind');
      expect(server.attributes['http.response.status_code']).toBe(status);
      expect(server.error?.message).toBe('card declined');
      expect(server.error?.type).toBe('PaymentError');
      expect(server.error?.stack).toContain('card declined');
      expect(server.attributes['error.type']).toBe('PaymentError');
    },
  );

  it('keeps the error as an exception event when the handler answers 400', async () => {
    const { status, trace, server } = await traceOf(makeApp(400), '/next/card');
    expect(status).toBe(400);
    expect(trace.status).not.toBe('error');
    expect(server.error).toBeUndefined();
    const events = exceptionEvents(server);
    expect(events).toHaveLength(1);
    expect(events[0]!.attributes?.['exception.message']).toBe('card declined');
    expect(events[0]!.attributes?.['exception.type']).toBe('PaymentError');
    expect(String(events[0]!.attributes?.['exception.stacktrace'])).toContain('card declined');
  });

  it.each([
    ['/throw', 'sync throw', 'GET /throw'],
    ['/rejected', 'rejected later', 'GET /rejected'],
    ['/orders/bad', 'no such order', 'GET /orders/:orderId'],
    ['/nested/thing', 'nested middleware failed', 'GET'],
  ])('records the error of %s', async (path, message, name) => {
    const { status, trace, server } = await traceOf(makeApp(500), path);
    expect(status).toBe(500);
    expect(trace.status).toBe('error');
    expect(trace.name).toBe(name);
    expect(server.error?.message).toBe(message);
    expect(server.error?.stack).toContain(message);
  });

  it('leaves a successful request free of errors', async () => {
    const { status, trace, server } = await traceOf(makeApp(500), '/orders/7');
    expect(status).toBe(200);
    expect(trace.status).not.toBe('error');
    expect(server.error).toBeUndefined();
    expect(exceptionEvents(server)).toHaveLength(0);
  });

  it('records an error once when tracingErrorHandler() is installed as well', async () => {
    const app = express();
    app.use(tracing({ tracer }));
    app.get('/twice', (_req: Request, _res: Response, next: NextFunction) =>
      next(new Error('seen twice')),
    );
    app.use(tracingErrorHandler());
    app.use((_error: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(422).send('nope');
    });
    const { status, server } = await traceOf(app, '/twice');
    expect(status).toBe(422);
    expect(exceptionEvents(server)).toHaveLength(1);
  });

  it('hands the error on unchanged from tracingErrorHandler()', async () => {
    const seen: unknown[] = [];
    const original = new PaymentError('handed on');
    const app = express();
    app.use(tracing({ tracer }));
    app.get('/handed', (_req: Request, _res: Response, next: NextFunction) => next(original));
    app.use(tracingErrorHandler());
    app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      seen.push(error);
      res.status(500).send('x');
    });
    await traceOf(app, '/handed');
    expect(seen).toEqual([original]);
    expect(seen[0]).toBe(original);
  });

  if (version === 4) {
    it('without tracingErrorHandler(), Express 4 shows a 500 as an error but cannot see the exception', async () => {
      const app = express();
      app.use(tracing({ tracer }));
      app.get('/unseen', (_req: Request, _res: Response, next: NextFunction) =>
        next(new Error('unseen')),
      );
      app.use((_error: Error, _req: Request, res: Response, _next: NextFunction) => {
        res.status(500).send('x');
      });
      const { trace, server } = await traceOf(app, '/unseen');
      expect(trace.status).toBe('error');
      expect(server.statusMessage).toBe('HTTP 500');
      expect(server.error).toBeUndefined();
    });
  } else {
    it('records errors without tracingErrorHandler(), through the router tracing channel', async () => {
      const app = express();
      app.use(tracing({ tracer }));
      app.get('/async', async () => {
        await delay(1);
        throw new Error('async handler threw');
      });
      app.use((_error: Error, _req: Request, res: Response, _next: NextFunction) => {
        res.status(500).send('x');
      });
      const { trace, server } = await traceOf(app, '/async');
      expect(trace.status).toBe('error');
      expect(server.error?.message).toBe('async handler threw');
    });
  }
});
