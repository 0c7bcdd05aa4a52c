import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { Router } from '@koa/router';
import {
  createTracer,
  currentSpan,
  currentTrace,
  memoryExporter,
  type Span,
  type Trace,
  type TraceData,
} from '@tracewire/core';
import { settle, waitForTraces } from '@tracewire/core/testing';
import { recordError, setRoute, type TracingState, tracing } from '@tracewire/koa';
import type Koa from 'koa';
import compose from 'koa-compose';
import Router12 from 'koa-router-12';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { koaMajors, listen, slowStream } from './helpers';

const exporter = memoryExporter();
const tracer = createTracer({ serviceName: 'koa-test', exporter, batch: { scheduledDelayMs: 5 } });

afterAll(() => tracer.shutdown());
beforeEach(() => exporter.reset());

type Served = Awaited<ReturnType<typeof listen>>;

function rootOf(trace: TraceData) {
  return trace.spans[0]!;
}

async function traceFor(path: string): Promise<TraceData> {
  const [trace] = await waitForTraces(
    tracer,
    exporter,
    (t) => rootOf(t).attributes['url.path'] === path,
  );
  return trace!;
}

/** The app's route shapes, all through real `@koa/router` routers. */
function routesApp(KoaClass: typeof Koa, RouterClass: typeof Router): Koa {
  const app = new KoaClass();
  app.silent = true;
  app.use(tracing({ tracer }));
  const reply = (ctx: Koa.Context) => {
    ctx.body = { params: ctx.params ?? {} };
  };

  // A route named by the app before any router runs is never overwritten.
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/manual/')) setRoute(ctx, '/manual/*');
    await next();
  });

  // Nested routers: /api prefix, a router mounted at a plain path and one at a path with a param.
  const users = new RouterClass();
  users.get('/', reply);
  users.get('/:id', reply);
  const projects = new RouterClass();
  projects.get('/projects/:project', reply);
  const api = new RouterClass({ prefix: '/api' });
  api.use('/users', users.routes());
  api.use('/orgs/:org', projects.routes());

  // Three levels deep: v1 -> teams -> members.
  const members = new RouterClass();
  members.get('/members/:member', reply);
  const teams = new RouterClass();
  teams.use('/teams/:team', members.routes());
  const v1 = new RouterClass({ prefix: '/v1' });
  v1.use(teams.routes());

  const v2 = new RouterClass({ prefix: '/v2' });
  v2.get('/items/:id', reply);
  v2.post('/items', reply);

  // Several routes matching one path.
  const multi = new RouterClass();
  multi.get('/pets/mine', reply);
  multi.get('/pets/:id', reply);
  multi.get('/files/:name', async (ctx, next) => {
    if (ctx.params.name === 'special') return next();
    reply(ctx);
  });
  multi.get('/files/special', reply);
  multi.get('user-by-name', '/named/:name', reply);
  multi.get(/^\/legacy\/\d+$/, reply);
  multi.get('/custom/:id', (ctx) => {
    setRoute(ctx, '/custom/{id}');
    reply(ctx);
  });
  multi.get('/manual/:anything', reply);

  // Router middleware that can answer before the route runs.
  const admin = new RouterClass({ prefix: '/admin' });
  admin.use(async (ctx, next) => {
    if (ctx.get('x-admin') !== 'yes') {
      ctx.status = 401;
      return;
    }
    await next();
  });
  admin.use('/reports', async (ctx, next) => {
    ctx.set('x-audited', 'true');
    await next();
  });
  admin.get('/reports/:year', reply);

  // Routers combined into one middleware with koa-compose.
  const shop = new RouterClass();
  shop.get('/shop/:sku', reply);
  const blog = new RouterClass();
  blog.get('/blog/:slug', reply);

  app.use(api.routes());
  app.use(v1.routes());
  app.use(v2.routes());
  app.use(v2.allowedMethods());
  app.use(multi.routes());
  app.use(admin.routes());
  app.use(compose([shop.routes(), blog.routes()]));
  return app;
}

const THROWN = new Map<string, unknown>();

/** Routes that throw the errors Koa apps throw, with or without tracing in front. */
function errorsApp(KoaClass: typeof Koa, traced: boolean, seen: unknown[]): Koa {
  const app = new KoaClass();
  app.on('error', (err: Error & { status?: number; headerSent?: boolean }) => {
    seen.push({ err, message: err.message, status: err.status, headerSent: err.headerSent });
  });
  if (traced) app.use(tracing({ tracer }));
  const router = new Router();
  const fail = (path: string, make: (ctx: Koa.Context) => unknown) => {
    router.get(path, (ctx) => {
      const error = make(ctx);
      THROWN.set(`${traced}:${path}`, error);
      throw error;
    });
  };
  fail('/errors/not-found', () =>
    Object.assign(new Error('no such widget'), { status: 404, expose: true }),
  );
  fail('/errors/invalid', () =>
    Object.assign(new Error('bad input'), { status: 422, expose: true }),
  );
  fail('/errors/status-code', () => Object.assign(new Error('upstream down'), { statusCode: 503 }));
  fail('/errors/server', () => Object.assign(new Error('exploded'), { status: 500 }));
  fail('/errors/plain', () => new Error('plain failure'));
  fail('/errors/non-error', () => 'just a string');
  router.get('/errors/auth', (ctx) => {
    try {
      ctx.throw(401, 'log in first', { headers: { 'WWW-Authenticate': 'Bearer' } });
    } catch (error) {
      THROWN.set(`${traced}:/errors/auth`, error);
      throw error;
    }
  });
  router.get('/errors/async', async () => {
    await delay(2);
    const error = new Error('later failure');
    THROWN.set(`${traced}:/errors/async`, error);
    throw error;
  });
  app.use(router.routes());
  return app;
}

/** Route shapes under every @koa/router major worth testing on Node 20 (12 is the last on path-to-regexp 6). */
const routerMajors: Array<[string, typeof Router]> = [
  ['@koa/router 15', Router],
  ['@koa/router 12', Router12],
];

describe.each(koaMajors)('%s', (major, KoaClass) => {
  describe.each(routerMajors)('route names from %s', (_router, RouterClass) => {
    let served: Served;
    beforeAll(async () => {
      served = await listen(routesApp(KoaClass, RouterClass));
    });
    afterAll(() => served.close());

    it.each([
      [
        '/api/users/7',
        'nested router mounted with router.use(path) under a prefix',
        '/api/users/:id',
      ],
      ['/api/users', 'the nested router root', '/api/users'],
      [
        '/api/orgs/acme/projects/web',
        'nested router mounted at a path with a param',
        '/api/orgs/:org/projects/:project',
      ],
      ['/v1/teams/red/members/ann', 'three levels of nesting', '/v1/teams/:team/members/:member'],
      ['/v2/items/3', 'a prefixed router', '/v2/items/:id'],
      ['/pets/mine', 'a literal route registered before a param route', '/pets/mine'],
      ['/pets/12', 'the param route of the same path', '/pets/:id'],
      ['/files/special', 'a route that falls through to a more specific one', '/files/special'],
      ['/files/readme', 'the same route answering itself', '/files/:name'],
      ['/named/ann', 'a named route (the template, not the name)', '/named/:name'],
      ['/legacy/42', 'a RegExp route', String(/^\/legacy\/\d+$/)],
      ['/shop/sku-1', 'the first router in a koa-compose chain', '/shop/:sku'],
      ['/blog/hello-world', 'the second router in a koa-compose chain', '/blog/:slug'],
    ])('GET %s: %s', async (path, _label, route) => {
      const res = await request(served.server).get(path);
      expect(res.status).toBe(200);
      const trace = await traceFor(path);
      expect(trace.name).toBe(`GET ${route}`);
      expect(rootOf(trace).attributes['http.route']).toBe(route);
    });

    it('names the route, not the router middleware, when router middleware answers first', async () => {
      const denied = await request(served.server).get('/admin/reports/2024');
      expect(denied.status).toBe(401);
      const allowed = await request(served.server).get('/admin/reports/2025').set('x-admin', 'yes');
      expect(allowed.status).toBe(200);
      expect(allowed.headers['x-audited']).toBe('true');
      for (const path of ['/admin/reports/2024', '/admin/reports/2025']) {
        const trace = await traceFor(path);
        expect(trace.name).toBe('GET /admin/reports/:year');
      }
    });

    it.each([
      ['GET', '/nowhere/at/all', 404, 'no router matches'],
      ['GET', '/admin/unknown', 404, 'only router middleware matches the path'],
      ['DELETE', '/v2/items/3', 405, 'the path matches but the method does not'],
    ])('names %s %s by the method alone when %s', async (method, path, status, _label) => {
      const res = await request(served.server)
        [method.toLowerCase() as 'get' | 'delete'](path)
        .set('x-admin', 'yes');
      expect(res.status).toBe(status);
      const trace = await traceFor(path);
      expect(trace.name).toBe(method);
      expect(rootOf(trace).attributes['http.route']).toBeUndefined();
      expect(rootOf(trace).attributes['http.response.status_code']).toBe(status);
    });

    it('uses a route set with setRoute() over the router, wherever it is set', async () => {
      await request(served.server).get('/custom/5').expect(200);
      await request(served.server).get('/manual/x').expect(200);
      await request(served.server).get('/manual/x/y').expect(404);
      expect((await traceFor('/custom/5')).name).toBe('GET /custom/{id}');
      expect((await traceFor('/manual/x')).name).toBe('GET /manual/*');
      expect((await traceFor('/manual/x/y')).name).toBe('GET /manual/*');
    });
  });

  describe('errors', () => {
    const tracedErrors: Array<{ err: unknown; message: string; status?: number }> = [];
    const plainErrors: typeof tracedErrors = [];
    let traced: Served;
    let plain: Served;
    beforeAll(async () => {
      traced = await listen(errorsApp(KoaClass, true, tracedErrors));
      plain = await listen(errorsApp(KoaClass, false, plainErrors));
    });
    afterAll(() => Promise.all([traced.close(), plain.close()]));
    beforeEach(() => {
      tracedErrors.length = 0;
      plainErrors.length = 0;
      THROWN.clear();
    });

    it.each([
      ['/errors/not-found', 404, 'no such widget', false],
      ['/errors/auth', 401, 'log in first', false],
      ['/errors/invalid', 422, 'bad input', false],
      ['/errors/status-code', 503, 'upstream down', true],
      ['/errors/server', 500, 'exploded', true],
      ['/errors/plain', 500, 'plain failure', true],
      ['/errors/async', 500, 'later failure', true],
    ])(
      '%s answers %i, recorded with 5xx as the only errors',
      async (path, status, message, isError) => {
        const res = await request(traced.server).get(path);
        expect(res.status).toBe(status);
        const trace = await traceFor(path);
        const server = rootOf(trace);
        expect(trace.name).toBe(`GET ${path}`);
        expect(server.attributes['http.response.status_code']).toBe(status);
        if (isError) {
          expect(trace.status).toBe('error');
          expect(server.error?.message).toBe(message);
          expect(server.error?.stack).toContain(message);
        } else {
          expect(trace.status).not.toBe('error');
          expect(server.error).toBeUndefined();
          const exception = server.events?.find((e) => e.name === 'exception');
          expect(exception?.attributes?.['exception.message']).toBe(message);
        }
        // Koa's error handling drops every header; the trace id still reaches the caller.
        expect(String(res.headers.traceresponse).split('-')[1]).toBe(trace.id);
      },
    );

    it('records a thrown non-Error value as the error of a 500', async () => {
      await request(traced.server).get('/errors/non-error').expect(500);
      const trace = await traceFor('/errors/non-error');
      expect(trace.status).toBe('error');
      expect(rootOf(trace).error?.message).toBe('just a string');
    });

    it.each([
      '/errors/not-found',
      '/errors/auth',
      '/errors/invalid',
      '/errors/status-code',
      '/errors/server',
      '/errors/plain',
      '/errors/async',
      '/errors/non-error',
    ])('leaves Koa error handling of %s exactly as without tracing', async (path) => {
      const withTracing = await request(traced.server).get(path);
      const without = await request(plain.server).get(path);
      expect(withTracing.status).toBe(without.status);
      expect(withTracing.text).toBe(without.text);
      const { traceresponse, date: _d1, ...tracedHeaders } = withTracing.headers;
      const { date: _d2, ...plainHeaders } = without.headers;
      expect(traceresponse).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$/);
      expect(tracedHeaders).toEqual(plainHeaders);

      // app.on('error') fires once, with the app's own error object, as without tracing.
      await traceFor(path);
      const strip = ({ err: _err, ...rest }: { err: unknown }) => rest;
      expect(tracedErrors.map(strip)).toEqual(plainErrors.map(strip));
      expect(tracedErrors).toHaveLength(1);
      if (path !== '/errors/non-error')
        expect(tracedErrors[0]!.err).toBe(THROWN.get(`true:${path}`));
    });
  });

  describe('errors answered by the app', () => {
    let served: Served;
    beforeAll(async () => {
      const app = new KoaClass();
      app.use(tracing({ tracer }));
      app.use(async (ctx, next) => {
        try {
          await next();
        } catch (err) {
          recordError(ctx, err);
          const status = (err as { status?: number }).status ?? 500;
          ctx.status = status;
          ctx.body = { error: (err as Error).message };
        }
      });
      const router = new Router();
      router.get('/handled/:status', (ctx) => {
        throw Object.assign(new Error(`handled ${ctx.params.status}`), {
          status: Number(ctx.params.status),
        });
      });
      app.use(router.routes());
      served = await listen(app);
    });
    afterAll(() => served.close());

    it('keeps an error handed to recordError(): an error with 5xx, an exception event with 4xx', async () => {
      await request(served.server).get('/handled/503').expect(503, { error: 'handled 503' });
      await request(served.server).get('/handled/409').expect(409, { error: 'handled 409' });
      const failed = await traceFor('/handled/503');
      expect(failed.status).toBe('error');
      expect(rootOf(failed).error?.message).toBe('handled 503');
      const conflict = await traceFor('/handled/409');
      expect(conflict.status).not.toBe('error');
      expect(rootOf(conflict).events?.[0]?.attributes?.['exception.message']).toBe('handled 409');
      expect(failed.name).toBe('GET /handled/:status');
    });
  });

  describe('ctx.state and the implicit context', () => {
    let served: Served;
    beforeAll(async () => {
      const app = new KoaClass<{ tenant: string } & TracingState>();
      app.use(tracing({ tracer }));
      app.use(async (ctx, next) => {
        ctx.state.tenant = 'acme';
        await next();
      });
      const router = new Router<{ tenant: string } & TracingState>();
      router.get('/whoami', async (ctx) => {
        expectTypeOf(ctx.state.trace).toEqualTypeOf<Trace | undefined>();
        expectTypeOf(ctx.state.span).toEqualTypeOf<Span | undefined>();
        ctx.state.span?.setAttribute('app.tenant', ctx.state.tenant);
        await delay(2);
        ctx.body = {
          stateTrace: ctx.state.trace?.id,
          stateSpan: ctx.state.span?.id,
          currentTrace: currentTrace()?.id,
          currentSpan: currentSpan()?.id,
        };
      });
      app.use(router.routes());
      served = await listen(app);
    });
    afterAll(() => served.close());

    it('exposes the trace and server span on ctx.state and as the current context', async () => {
      const res = await request(served.server).get('/whoami').expect(200);
      const trace = await traceFor('/whoami');
      expect(res.body).toEqual({
        stateTrace: trace.id,
        stateSpan: trace.rootSpanId,
        currentTrace: trace.id,
        currentSpan: trace.rootSpanId,
      });
      expect(rootOf(trace).attributes['app.tenant']).toBe('acme');
    });

    it('types ctx.state through Koa’s DefaultState for a plain app', () => {
      const app = new KoaClass();
      app.use((ctx) => {
        expectTypeOf(ctx.state.trace).toEqualTypeOf<Trace | undefined>();
      });
      expect(app.middleware).toHaveLength(1);
    });
  });

  describe('streamed bodies', () => {
    const tracedErrors: unknown[] = [];
    const plainErrors: unknown[] = [];
    let traced: Served;
    let plain: Served;
    let lastChunkAt = 0;

    const streamingApp = (withTracing: boolean, seen: unknown[]) => {
      const app = new KoaClass();
      app.on('error', (err: Error & { headerSent?: boolean }) => {
        seen.push({ message: err.message, headerSent: err.headerSent });
      });
      if (withTracing) app.use(tracing({ tracer }));
      const router = new Router();
      router.get('/stream/ok', (ctx) => {
        ctx.type = 'text/plain';
        ctx.body = Readable.from(
          (async function* () {
            for (const chunk of ['alpha\n', 'beta\n', 'gamma\n']) {
              await delay(15);
              lastChunkAt = performance.timeOrigin + performance.now();
              yield chunk;
            }
          })(),
        );
      });
      router.get('/stream/mid-failure', (ctx) => {
        ctx.type = 'text/plain';
        ctx.body = slowStream(['alpha\n', 'beta\n'], 10, new Error('feed broke'));
      });
      router.get('/stream/early-failure', (ctx) => {
        ctx.type = 'text/plain';
        ctx.body = slowStream([], 5, new Error('feed unavailable'));
      });
      router.get('/stream/endless', (ctx) => {
        ctx.type = 'text/plain';
        ctx.body = slowStream(
          Array.from({ length: 500 }, (_, i) => `${i}\n`),
          10,
        );
      });
      router.get('/stream/manual', async (ctx) => {
        ctx.respond = false;
        ctx.res.writeHead(200, { 'content-type': 'text/plain' });
        for (const chunk of ['one\n', 'two\n']) {
          ctx.res.write(chunk);
          await delay(10);
        }
        ctx.res.end();
      });
      app.use(router.routes());
      return app;
    };

    beforeAll(async () => {
      traced = await listen(streamingApp(true, tracedErrors));
      plain = await listen(streamingApp(false, plainErrors));
    });
    afterAll(() => Promise.all([traced.close(), plain.close()]));
    beforeEach(() => {
      tracedErrors.length = 0;
      plainErrors.length = 0;
    });

    it('ends the trace when the body stream ends, once', async () => {
      const res = await request(traced.server).get('/stream/ok').expect(200);
      expect(res.text).toBe('alpha\nbeta\ngamma\n');
      const trace = await traceFor('/stream/ok');
      expect(trace.name).toBe('GET /stream/ok');
      expect(trace.status).not.toBe('error');
      expect(trace.endTime).toBeGreaterThanOrEqual(lastChunkAt);
      expect(await settle(tracer, exporter, trace.id)).toHaveLength(1);
    });

    it('ends a ctx.respond = false response when the app ends it', async () => {
      const res = await request(traced.server).get('/stream/manual').expect(200);
      expect(res.text).toBe('one\ntwo\n');
      const trace = await traceFor('/stream/manual');
      expect(trace.name).toBe('GET /stream/manual');
      expect(rootOf(trace).attributes['http.response.status_code']).toBe(200);
    });

    it('ends the trace as aborted, with the stream error, when the body fails mid-stream', async () => {
      const call = rawGet(`${traced.url}/stream/mid-failure`);
      const trace = await traceFor('/stream/mid-failure');
      const server = rootOf(trace);
      expect(trace.status).toBe('aborted');
      expect(server.attributes['http.response.status_code']).toBe(200);
      expect(
        server.events?.find((e) => e.name === 'exception')?.attributes?.['exception.message'],
      ).toBe('feed broke');
      if (major === 'koa 3') {
        // Koa 3 destroys the response: the client sees it cut short.
        await call.done;
        expect(call.state).toBe('aborted');
      } else {
        // Koa 2 leaves the response open after the failure; the trace has ended regardless.
        expect(call.state).toBe('pending');
      }
      expect(call.body).toBe('alpha\nbeta\n');
      call.destroy();
      expect(await settle(tracer, exporter, trace.id)).toHaveLength(1);
    });

    it.each(['/stream/mid-failure', '/stream/early-failure'])(
      'keeps what the client and app.on("error") see when %s, as without tracing',
      async (path) => {
        const results = [];
        for (const [served, seen] of [
          [traced, tracedErrors],
          [plain, plainErrors],
        ] as const) {
          const call = rawGet(`${served.url}${path}`);
          // Settled by Koa, or (Koa 2, mid-body) left open once the failure was reported.
          await until(
            () => call.state !== 'pending' || (seen.length > 0 && call.body === 'alpha\nbeta\n'),
          );
          call.destroy();
          await call.done;
          results.push({ state: call.state, status: call.status, body: call.body });
        }
        expect(results[0]).toEqual(results[1]);
        await until(() => tracedErrors.length === plainErrors.length);
        await delay(50);
        expect(tracedErrors).toEqual(plainErrors);
        expect(tracedErrors.length).toBeGreaterThan(0);
      },
    );

    it('ends the trace when the body stream fails before its first byte', async () => {
      const call = rawGet(`${traced.url}/stream/early-failure`);
      await call.done;
      const trace = await traceFor('/stream/early-failure');
      if (major === 'koa 3') {
        // Koa 3 destroys the response before any head was sent.
        expect(call.state).toBe('hang-up');
        expect(trace.status).toBe('aborted');
        expect(rootOf(trace).attributes['http.response.status_code']).toBeUndefined();
        expect(rootOf(trace).events?.[0]?.attributes?.['exception.message']).toBe(
          'feed unavailable',
        );
      } else {
        // Koa 2 answers the error itself with a 500.
        expect(call.status).toBe(500);
        expect(trace.status).toBe('error');
        expect(rootOf(trace).error?.message).toBe('feed unavailable');
        expect(rootOf(trace).attributes['http.response.status_code']).toBe(500);
      }
      expect(await settle(tracer, exporter, trace.id)).toHaveLength(1);
    });

    it('ends the trace as aborted, once, when the client leaves mid-stream', async () => {
      const call = rawGet(`${traced.url}/stream/endless`);
      await call.firstChunk;
      call.destroy();
      const trace = await traceFor('/stream/endless');
      expect(trace.status).toBe('aborted');
      expect(trace.name).toBe('GET /stream/endless');
      expect(await settle(tracer, exporter, trace.id)).toHaveLength(1);
    });
  });

  describe('options', () => {
    let served: Served;
    beforeAll(async () => {
      const app = new KoaClass();
      app.use(tracing({ tracer, ignore: ['/health', /^\/internal\//] }));
      const router = new Router();
      router.get('/health', (ctx) => {
        ctx.body = { sampled: ctx.state.trace?.sampled };
      });
      router.get('/internal/metrics', (ctx) => {
        ctx.body = 'metrics';
      });
      router.get('/orders/:id', (ctx) => {
        ctx.body = { sampled: ctx.state.trace?.sampled };
      });
      app.use(router.routes());
      served = await listen(app);
    });
    afterAll(() => served.close());

    it('serves ignored requests without tracing them', async () => {
      const health = await request(served.server).get('/health').expect(200);
      const metrics = await request(served.server).get('/internal/metrics').expect(200, 'metrics');
      const order = await request(served.server).get('/orders/1').expect(200);
      expect(health.body).toEqual({ sampled: false });
      expect(health.headers.traceresponse).toBeUndefined();
      expect(metrics.headers.traceresponse).toBeUndefined();
      expect(order.body).toEqual({ sampled: true });
      await traceFor('/orders/1');
      await tracer.flush();
      expect(exporter.traces().map((t) => rootOf(t).attributes['url.path'])).toEqual(['/orders/1']);
    });

    it('rejects a mistaken option when the middleware is created', () => {
      expect(() => tracing({ ignore: '/health' as never })).toThrow(/"ignore" must be an array/);
      expect(() => tracing(null as never)).toThrow(/takes an options object/);
    });
  });
});

describe('setRoute() and recordError() outside a traced request', () => {
  it('do nothing', () => {
    const ctx = { state: {} };
    expect(() => setRoute(ctx, '/x')).not.toThrow();
    expect(() => recordError(ctx, new Error('x'))).not.toThrow();
    expect(Object.getOwnPropertySymbols(ctx)).toEqual([]);
  });
});

/** Polls until `predicate` holds; fails the test if it never does. */
async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await delay(5);
  }
}

interface RawCall {
  status: number | undefined;
  body: string;
  /** `pending` while the response is open; `hang-up` when no response head ever came. */
  state: 'pending' | 'end' | 'aborted' | 'hang-up';
  firstChunk: Promise<void>;
  done: Promise<void>;
  destroy(): void;
}

/** A GET whose response may end, be cut short, or stay open; `destroy()` leaves. */
function rawGet(url: string): RawCall {
  let settle!: () => void;
  let gotChunk!: () => void;
  const call: RawCall = {
    status: undefined,
    body: '',
    state: 'pending',
    firstChunk: new Promise<void>((resolve) => {
      gotChunk = resolve;
    }),
    done: new Promise<void>((resolve) => {
      settle = resolve;
    }),
    destroy: () => {
      req.destroy();
    },
  };
  const finish = (state: RawCall['state']) => {
    if (call.state === 'pending') call.state = state;
    settle();
  };
  const req = httpRequest(url, (res) => {
    call.status = res.statusCode;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      call.body += chunk;
      gotChunk();
    });
    res.on('end', () => finish('end'));
    res.on('aborted', () => finish('aborted'));
    res.on('error', () => finish('aborted'));
    res.on('close', () => settle());
  });
  req.on('error', () => finish(call.status === undefined ? 'hang-up' : 'aborted'));
  req.on('close', () => settle());
  req.end();
  return call;
}
