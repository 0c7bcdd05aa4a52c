import {
  createTracer,
  type Exporter,
  memoryExporter,
  setDefaultTracer,
  type Tracer,
} from '@tracewire/core';
import { waitForTraces } from '@tracewire/core/testing';
import { tracing } from '@tracewire/express';
import type { Request, Response } from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileTracer, majors } from './support';

const { exporter, tracer } = fileTracer('express-options');

const hello = (req: Request, res: Response) => {
  res.json({ id: req.params.id ?? null });
};

describe.each(majors)('options on $major', ({ express }) => {
  it('skips ignored paths but serves them and traces the rest', async () => {
    const app = express();
    app.use(tracing({ tracer, ignore: ['/health', /^\/internal\//] }));
    app.get('/health', hello);
    app.get('/internal/:id', hello);
    app.get('/users/:id', hello);
    const health = await request(app).get('/health');
    expect(health.status).toBe(200);
    expect(health.headers.traceresponse).toBeUndefined();
    await request(app).get('/internal/1').expect(200);
    await request(app).get('/users/1').expect(200);
    await waitForTraces(tracer, exporter, (t) => t.name === 'GET /users/:id');
    expect(exporter.traces().map((t) => t.name)).toEqual(['GET /users/:id']);
  });

  it('names traces with `name` and adds `attributes` from the outcome', async () => {
    const app = express();
    app.use(
      tracing({
        tracer,
        name: (req, route) => (route ? `api ${req.method} ${route}` : undefined),
        attributes: (req, outcome) => ({
          'app.route': outcome.route ?? 'none',
          'app.method': req.method,
        }),
      }),
    );
    app.use('/api', express.Router().get('/users/:id', hello));
    await request(app).get('/api/users/5').expect(200);
    await request(app).get('/missing').expect(404);
    const [named] = await waitForTraces(
      tracer,
      exporter,
      (t) => t.name === 'api GET /api/users/:id',
    );
    const [missing] = await waitForTraces(
      tracer,
      exporter,
      (t) => t.spans[0]!.attributes['url.path'] === '/missing',
    );
    expect(named!.spans[0]!.attributes).toMatchObject({
      'app.route': '/api/users/:id',
      'app.method': 'GET',
    });
    expect(missing!.name).toBe('GET');
    expect(missing!.spans[0]!.attributes['app.route']).toBe('none');
  });

  it('switches the traceresponse header off with traceResponse: false', async () => {
    const app = express();
    app.use(tracing({ tracer, traceResponse: false }));
    app.get('/quiet', hello);
    const res = await request(app).get('/quiet');
    expect(res.headers.traceresponse).toBeUndefined();
    await waitForTraces(tracer, exporter, (t) => t.name === 'GET /quiet');
  });

  it('traces a request once when tracing() is installed in the app and a sub-app', async () => {
    const app = express();
    app.use(tracing({ tracer }));
    const admin = express();
    admin.use(tracing({ tracer }));
    admin.get('/stats', hello);
    app.use('/admin', admin);
    await request(app).get('/admin/stats').expect(200);
    await waitForTraces(tracer, exporter, (t) => t.name === 'GET /admin/stats');
    await tracer.flush();
    expect(exporter.traces()).toHaveLength(1);
  });

  describe('without a tracer option', () => {
    let fallback: Tracer;
    const fallbackExporter = memoryExporter();

    beforeEach(() => {
      fallback = createTracer({
        serviceName: 'default',
        exporter: fallbackExporter,
        batch: { scheduledDelayMs: 5 },
      });
      setDefaultTracer(fallback);
    });
    afterEach(async () => {
      setDefaultTracer(undefined);
      await fallback.shutdown();
    });

    it('uses the default tracer', async () => {
      const app = express();
      app.use(tracing());
      app.get('/default/:id', hello);
      await request(app).get('/default/1').expect(200);
      const [trace] = await waitForTraces(
        fallback,
        fallbackExporter,
        (t) => t.name === 'GET /default/:id',
      );
      expect(trace!.serviceName).toBe('default');
    });
  });

  it('never fails the app when the exporter throws', async () => {
    const problems: unknown[] = [];
    const throwing: Exporter = {
      name: 'throwing',
      export() {
        throw new Error('exporter exploded');
      },
    };
    const rejecting: Exporter = {
      name: 'rejecting',
      export: () => Promise.reject(new Error('exporter rejected')),
    };
    const broken = createTracer({
      serviceName: 'broken',
      exporter: [throwing, rejecting],
      batch: { scheduledDelayMs: 1, maxRetries: 1, retryInitialDelayMs: 1 },
      onError: (problem) => problems.push(problem),
    });
    const app = express();
    app.use(tracing({ tracer: broken }));
    app.get('/users/:id', hello);
    for (let i = 0; i < 5; i++) {
      const res = await request(app).get(`/users/${i}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: String(i) });
    }
    await broken.flush();
    expect(problems.length).toBeGreaterThan(0);
    await broken.shutdown();
  });

  it('fails fast on a configuration mistake, saying how to fix it', () => {
    expect(() => tracing({ tracer: {} as Tracer })).toThrow(/createTracer/);
    expect(() => tracing({ ignore: 'health' as never })).toThrow(/ignore/);
    expect(() => tracing(null as never)).toThrow(/options object/);
  });
});
