import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { tracing } from '@tracewire/express';
import { registerOpenTelemetry } from '@tracewire/opentelemetry';
import express from 'express';
import type { Pool } from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../../scripts/postgres.mjs';
import { memoryTracer, tracesWhere } from './support';

const setup = memoryTracer('orders-api');
const { tracer } = setup;
const started = await startPostgres();
if (!started.available) {
  // Locally without PostgreSQL: say so; under CI=true startPostgres() has thrown instead.
  console.warn(`postgres.test.ts: ${started.reason}`);
}
const server = started.available ? (started as PostgresServer) : undefined;

describe.runIf(server !== undefined)('pg through @opentelemetry/instrumentation-pg', () => {
  let pool: Pool;
  let unregister: () => void;
  let disable: () => void;

  beforeAll(async () => {
    unregister = registerOpenTelemetry({ tracer });
    disable = registerInstrumentations({ instrumentations: [new PgInstrumentation()] });
    // Required after the instrumentation is registered, as a CommonJS app does.
    const pg = createRequire(import.meta.url)('pg') as typeof import('pg');
    pool = new pg.Pool({ connectionString: server!.connectionString, max: 2 });
    await pool.query('create table orders (id serial primary key, item text not null)');
    await pool.query("insert into orders (item) values ('tea'), ('cake')");
  });

  afterAll(async () => {
    await pool?.end();
    disable?.();
    unregister?.();
    await server?.stop();
  });

  it('a traced Express route running two queries shows both under its server span', async () => {
    const app = express();
    app.use(tracing({ tracer }));
    app.get('/orders/:id', async (req, res) => {
      const count = await pool.query('select count(*)::int as n from orders');
      const order = await pool.query('select item from orders where id = $1', [req.params.id]);
      res.json({ count: count.rows[0].n, item: order.rows[0]?.item });
    });
    const res = await request(app).get('/orders/2').expect(200);
    expect(res.body).toEqual({ count: 2, item: 'cake' });

    const [trace] = await tracesWhere(setup, (t) => t.name === 'GET /orders/:id');
    const serverSpan = trace!.spans[0]!;
    expect(serverSpan.kind).toBe('server');
    const queries = trace!.spans
      .filter(
        (s) =>
          s.attributes['db.system'] === 'postgresql' ||
          s.attributes['db.system.name'] === 'postgresql',
      )
      .filter((s) => (s.attributes['db.statement'] ?? s.attributes['db.query.text']) !== undefined);
    expect(
      queries.map((s) => s.attributes['db.statement'] ?? s.attributes['db.query.text']),
    ).toEqual(['select count(*)::int as n from orders', 'select item from orders where id = $1']);
    for (const query of queries) {
      expect(query.kind).toBe('client');
      expect(query.traceId).toBe(trace!.id);
      // Directly under the request's server span (pg-pool's connect span, if any, is a sibling).
      expect(query.parentId).toBe(serverSpan.spanId);
      expect(query.attributes['otel.scope.name']).toBe('@opentelemetry/instrumentation-pg');
      expect(query.durationMs).toBeGreaterThan(0);
      expect(query.startTime).toBeGreaterThanOrEqual(serverSpan.startTime);
      expect(query.endTime).toBeLessThanOrEqual(serverSpan.endTime);
    }
    expect(queries[1]!.startTime).toBeGreaterThanOrEqual(queries[0]!.endTime);
  });

  it('a failing query is an errored client span and the route still answers', async () => {
    const app = express();
    app.use(tracing({ tracer }));
    app.get('/broken', async (_req, res) => {
      try {
        await pool.query('select * from no_such_table');
        res.send('unexpected');
      } catch {
        res.status(503).send('db down');
      }
    });
    await request(app).get('/broken').expect(503);
    const [trace] = await tracesWhere(setup, (t) => t.name === 'GET /broken');
    const failed = trace!.spans.find((s) =>
      String(s.attributes['db.statement'] ?? s.attributes['db.query.text'] ?? '').includes(
        'no_such_table',
      ),
    );
    expect(failed?.status).toBe('error');
    // instrumentation-pg records a sanitized message (the server's may quote data).
    expect(failed?.error?.message).toMatch(/PostgreSQL error/);
    expect(failed?.events?.some((e) => e.name === 'exception')).toBe(true);
  });

  it('queries outside any request are not recorded (client spans start no trace)', async () => {
    setup.exporter.reset();
    await pool.query('select 1');
    await tracer.flush();
    expect(setup.exporter.traces()).toEqual([]);
  });
});
