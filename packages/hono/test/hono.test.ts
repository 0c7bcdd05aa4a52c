import {
  createTracer,
  currentTrace,
  memoryExporter,
  type SpanData,
  type TraceData,
  type Tracer,
} from '@tracewire/core';
import { type ContractApp, settle, waitForTraces } from '@tracewire/core/testing';
import { setRoute, type TracingVariables, tracing } from '@tracewire/hono';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { stream, streamSSE } from 'hono/streaming';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen } from './listen';

type Env = { Variables: TracingVariables };

const exporter = memoryExporter();
let tracer: Tracer;

beforeAll(() => {
  tracer = createTracer({ serviceName: 'hono-test', exporter, batch: { scheduledDelayMs: 5 } });
});
afterAll(() => tracer.shutdown());
beforeEach(() => exporter.reset());

function root(trace: TraceData): SpanData {
  return trace.spans[0]!;
}

async function traceFor(path: string, method = 'GET'): Promise<TraceData> {
  const [trace] = await waitForTraces(
    tracer,
    exporter,
    (t) =>
      root(t).attributes['url.path'] === path &&
      root(t).attributes['http.request.method'] === method,
  );
  return trace!;
}

/** A promise the test resolves, to hold a stream open until the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const sseGate = { current: gate() };

function buildApp(t: () => Tracer): Hono<Env> {
  const app = new Hono<Env>();
  app.use(tracing({ tracer: t() }));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    return c.json({ error: err.message }, 503);
  });

  // Two levels of app.route(), each sub-app with its own middleware.
  const users = new Hono();
  users.use('*', async (_c, next) => next());
  users.get('/:id', (c) => c.json({ id: c.req.param('id') }));
  users.get('/:id/posts/:postId', (c) => c.json({ post: c.req.param('postId') }));
  const v1 = new Hono();
  v1.use('*', async (_c, next) => next());
  v1.route('/users', users);
  app.route('/api/v1', v1);

  // A sub-app with its own onError: app.route() wraps its handlers.
  const admin = new Hono();
  admin.onError((err, c) => c.json({ admin: err.message }, 502));
  admin.get('/jobs/:jobId', (c) => c.json({ job: c.req.param('jobId') }));
  admin.get('/jobs/:jobId/fail', () => {
    throw new Error('job failed');
  });
  const ops = new Hono();
  ops.route('/admin', admin);
  app.route('/ops', ops);

  // basePath on a sub-app, and a group of routes on one path.
  const shop = new Hono().basePath('/shop');
  shop.get('/items/:sku', (c) => c.text(c.req.param('sku')));
  app.route('/', shop);
  const book = new Hono();
  book.get('/', (c) => c.text('list'));
  book.post('/', (c) => c.text('created', 201));
  book.get('/:isbn', (c) => c.text('one'));
  app.route('/book', book);

  app.get('/files/*', (c) => c.text('file'));
  app.get('/posts/:id{[0-9]+}', (c) => c.text(`post ${c.req.param('id')}`));
  app.get('/animals/:type?', (c) => c.text('animal'));
  app.get(
    '/guarded/:id',
    async (c, next) => {
      if (c.req.header('x-deny')) return c.text('denied', 403);
      await next();
    },
    (c) => c.text('in'),
  );

  app.use('/rpc/*', async (c, next) => {
    setRoute(c, `/rpc/${c.req.header('x-procedure') ?? 'unknown'}`);
    await next();
  });
  app.all('/rpc/*', (c) => c.text('rpc'));

  app.get('/http-exception/:code', (c) => {
    const code = Number(c.req.param('code')) as 401 | 404 | 500;
    throw new HTTPException(code, { message: `exception ${code}` });
  });
  app.get('/fail', () => {
    throw new Error('custom boom');
  });
  app.get('/throw-string', () => {
    throw 'not an error';
  });

  app.get('/handles', (c) => {
    const child = c.get('span').startSpan('explicit.child');
    child.setAttribute('via', 'c.get');
    child.end();
    c.get('trace').update({ userId: 'u-1' });
    return c.json({
      traceId: c.get('trace').id,
      spanId: c.get('span').id,
      implicit: currentTrace()?.id ?? null,
    });
  });
  app.get('/sse', (c) =>
    streamSSE(c, async (s) => {
      await s.writeSSE({ data: 'first' });
      await sseGate.current.opened;
      await s.writeSSE({ data: 'last' });
    }),
  );
  app.get('/stream', (c) =>
    stream(c, async (s) => {
      for (const chunk of ['a', 'b', 'c']) await s.write(chunk);
    }),
  );
  return app;
}

type Call = (path: string, init?: RequestInit) => Promise<Response>;

describe.each([
  ['app.request() (fetch path)', 'fetch'],
  ['@hono/node-server (Node path)', 'node'],
] as const)('%s', (_label, transport) => {
  let call: Call;
  let server: ContractApp | undefined;

  beforeAll(async () => {
    const app = buildApp(() => tracer);
    if (transport === 'fetch') {
      call = async (path, init) => app.request(path, init);
    } else {
      server = await listen(app);
      call = (path, init) => fetch(`${server!.url}${path}`, init);
    }
  });
  afterAll(() => server?.close());

  it.each([
    ['/api/v1/users/7', '/api/v1/users/:id'],
    ['/api/v1/users/7/posts/3', '/api/v1/users/:id/posts/:postId'],
    ['/ops/admin/jobs/9', '/ops/admin/jobs/:jobId'],
    ['/shop/items/sku-1', '/shop/items/:sku'],
    ['/book', '/book'],
    ['/book/978-3', '/book/:isbn'],
    ['/files/a/b/c.txt', '/files/*'],
    ['/posts/123', '/posts/:id{[0-9]+}'],
    ['/animals', '/animals/:type?'],
    ['/animals/cat', '/animals/:type?'],
    ['/guarded/1', '/guarded/:id'],
  ])('names %s by its matched handler route %s', async (path, route) => {
    const res = await call(path);
    expect(res.status).toBe(200);
    await res.text();
    const trace = await traceFor(path);
    expect(trace.name).toBe(`GET ${route}`);
    expect(root(trace).attributes['http.route']).toBe(route);
  });

  it('names a POST in a route group by its own handler', async () => {
    const res = await call('/book', { method: 'POST' });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('created');
    expect((await traceFor('/book', 'POST')).name).toBe('POST /book');
  });

  it.each([
    ['GET', '/posts/not-a-number'],
    ['GET', '/nothing/here'],
    // Only the sub-apps' `use('*')` middleware matches a POST here: that is not a route.
    ['POST', '/api/v1/users/7'],
  ])('names an unmatched %s %s by its method alone', async (method, path) => {
    const res = await call(path, { method });
    expect(res.status).toBe(404);
    await res.text();
    const trace = await traceFor(path, method);
    expect(trace.name).toBe(method);
    expect(root(trace).attributes['http.route']).toBeUndefined();
    expect(trace.status).not.toBe('error');
  });

  it('keeps the matched route when route-level middleware answers first', async () => {
    const res = await call('/guarded/2', { headers: { 'x-deny': '1' } });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('denied');
    const trace = await traceFor('/guarded/2');
    expect(trace.name).toBe('GET /guarded/:id');
    expect(root(trace).attributes['http.response.status_code']).toBe(403);
  });

  it('respects a route set explicitly by a later middleware', async () => {
    const res = await call('/rpc/anything/at/all', {
      method: 'POST',
      headers: { 'x-procedure': 'getUser' },
    });
    expect(await res.text()).toBe('rpc');
    const trace = await traceFor('/rpc/anything/at/all', 'POST');
    expect(trace.name).toBe('POST /rpc/getUser');
    expect(root(trace).attributes['http.route']).toBe('/rpc/getUser');
  });

  it.each([
    [401, false],
    [404, false],
    [500, true],
  ])('keeps an HTTPException %i status (error: %s)', async (code, isError) => {
    const path = `/http-exception/${code}`;
    const res = await call(path);
    expect(res.status).toBe(code);
    expect(await res.text()).toBe(`exception ${code}`);
    const trace = await traceFor(path);
    const server = root(trace);
    expect(server.attributes['http.response.status_code']).toBe(code);
    expect(trace.name).toBe('GET /http-exception/:code');
    if (isError) {
      expect(trace.status).toBe('error');
      expect(server.error?.message).toBe(`exception ${code}`);
    } else {
      expect(trace.status).not.toBe('error');
      expect(
        server.events?.find((e) => e.name === 'exception')?.attributes?.['exception.message'],
      ).toBe(`exception ${code}`);
    }
  });

  it('records a thrown error with the status app.onError answered (503)', async () => {
    const res = await call('/fail');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'custom boom' });
    const trace = await traceFor('/fail');
    expect(trace.status).toBe('error');
    expect(root(trace).attributes['http.response.status_code']).toBe(503);
    expect(root(trace).error?.message).toBe('custom boom');
    expect(root(trace).error?.stack).toContain('custom boom');
  });

  it("records an error handled by a sub-app's own onError", async () => {
    const res = await call('/ops/admin/jobs/4/fail');
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ admin: 'job failed' });
    const trace = await traceFor('/ops/admin/jobs/4/fail');
    expect(trace.name).toBe('GET /ops/admin/jobs/:jobId/fail');
    expect(trace.status).toBe('error');
    expect(root(trace).error?.message).toBe('job failed');
  });

  it('records a thrown non-Error value, which Hono does not hand to onError', async () => {
    if (transport === 'fetch') {
      await expect(call('/throw-string')).rejects.toBe('not an error');
    } else {
      expect((await call('/throw-string')).status).toBe(500);
    }
    const trace = await traceFor('/throw-string');
    expect(trace.status).toBe('error');
    expect(root(trace).error?.message).toBe('not an error');
    expect(await settle(tracer, exporter, trace.id)).toHaveLength(1);
  });

  it("exposes the trace and server span as c.get('trace') and c.get('span')", async () => {
    const res = await call('/handles');
    const body = (await res.json()) as { traceId: string; spanId: string; implicit: string | null };
    const trace = await traceFor('/handles');
    expect(body.traceId).toBe(trace.id);
    expect(body.spanId).toBe(trace.rootSpanId);
    expect(body.implicit).toBe(trace.id);
    expect(trace.userId).toBe('u-1');
    const child = trace.spans.find((s) => s.name === 'explicit.child');
    expect(child?.parentId).toBe(trace.rootSpanId);
    expect(child?.attributes.via).toBe('c.get');
    expect(res.headers.get('traceresponse')?.split('-')[1]).toBe(trace.id);
  });

  it('ends a streamSSE response only when the stream closes, exactly once', async () => {
    sseGate.current = gate();
    const res = await call('/sse');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('data: first');
    // The handler has returned and the first event is out, but the stream is open.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await tracer.flush();
    expect(exporter.traces().filter((t) => root(t).attributes['url.path'] === '/sse')).toHaveLength(
      0,
    );
    sseGate.current.open();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toContain('data: last');
    const trace = await traceFor('/sse');
    expect(trace.name).toBe('GET /sse');
    expect(trace.status).not.toBe('error');
    expect(await settle(tracer, exporter, trace.id)).toHaveLength(1);
  });

  it('ends a stream() response once, when it has been read', async () => {
    const res = await call('/stream');
    expect(await res.text()).toBe('abc');
    const trace = await traceFor('/stream');
    expect(trace.name).toBe('GET /stream');
    expect(root(trace).attributes['http.response.status_code']).toBe(200);
    expect(await settle(tracer, exporter, trace.id)).toHaveLength(1);
  });

  it('ends a streamed response as aborted when the client cancels it', async () => {
    sseGate.current = gate();
    const res = await call('/sse');
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    const trace = await traceFor('/sse');
    expect(trace.status).toBe('aborted');
    sseGate.current.open();
    expect(await settle(tracer, exporter, trace.id)).toHaveLength(1);
  });

  it('ends a HEAD request, whose body Hono drops unread', async () => {
    const res = await call('/api/v1/users/5', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('traceresponse')).toMatch(/^00-[0-9a-f]{32}-/);
    const trace = await traceFor('/api/v1/users/5', 'HEAD');
    expect(trace.name).toBe('HEAD /api/v1/users/:id');
  });
});

describe('route shapes outside the shared app', () => {
  it('unwraps a sub-app handler marked the way early Hono 4 releases did (a symbol key)', async () => {
    const inner = (c: { text(body: string): Response }) => c.text('wrapped');
    const wrapper = Object.assign(
      async (c: Parameters<typeof inner>[0], _next: () => Promise<void>) => inner(c),
      {
        [Symbol('composedHandler')]: inner,
      },
    );
    const app = new Hono<Env>();
    app.use(tracing({ tracer }));
    app.get('/legacy/:id', wrapper);
    expect(await (await app.request('/legacy/1')).text()).toBe('wrapped');
    expect((await traceFor('/legacy/1')).name).toBe('GET /legacy/:id');
  });

  it('names routes under an app-wide basePath', async () => {
    const app = new Hono<Env>().basePath('/svc');
    app.use(tracing({ tracer }));
    app.get('/ping/:n', (c) => c.text('pong'));
    expect(await (await app.request('/svc/ping/3')).text()).toBe('pong');
    expect((await traceFor('/svc/ping/3')).name).toBe('GET /svc/ping/:n');
  });

  it('starts one trace per request when a sub-app installs tracing() too', async () => {
    const sub = new Hono<Env>();
    sub.use(tracing({ tracer }));
    sub.get('/:id', (c) => c.text(c.get('trace').id));
    const app = new Hono<Env>();
    app.use(tracing({ tracer }));
    app.route('/items', sub);
    const body = await (await app.request('/items/1')).text();
    const [trace] = await waitForTraces(
      tracer,
      exporter,
      (t) => root(t).attributes['url.path'] === '/items/1',
    );
    expect(body).toBe(trace!.id);
    expect(trace!.name).toBe('GET /items/:id');
    expect(await settle(tracer, exporter, trace!.id)).toHaveLength(1);
    expect(exporter.traces()).toHaveLength(1);
  });
});

describe('edge runtimes: no AsyncLocalStorage, executionCtx.waitUntil', () => {
  it('keeps explicit handles working and hands the flush to waitUntil', async () => {
    const edgeExporter = memoryExporter();
    // A long batch delay: only the flush handed to waitUntil can deliver in time.
    const edge = createTracer({
      serviceName: 'edge',
      exporter: edgeExporter,
      context: false,
      batch: { scheduledDelayMs: 60_000 },
    });
    const app = new Hono<Env>();
    app.use(tracing({ tracer: edge }));
    app.get('/work/:id', (c) =>
      streamSSE(c, async (s) => {
        const child = c.get('trace').startSpan('edge.work');
        await s.writeSSE({ data: String(currentTrace()?.id ?? 'no implicit context') });
        child.end();
      }),
    );
    const handed: Array<Promise<unknown>> = [];
    const executionCtx = {
      waitUntil: (promise: Promise<unknown>) => {
        handed.push(promise);
      },
      passThroughOnException: () => undefined,
      props: {},
    };
    let settled = false;
    const res = await app.request('/work/1', {}, {}, executionCtx);
    expect(handed).toHaveLength(1);
    void handed[0]!.then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    expect(await res.text()).toContain('data: no implicit context');
    await Promise.all(handed);
    const [trace] = edgeExporter.traces();
    expect(trace?.name).toBe('GET /work/:id');
    expect(trace?.spans.map((s) => s.name)).toEqual(['GET /work/:id', 'edge.work']);
    expect(res.headers.get('traceresponse')?.split('-')[1]).toBe(trace?.id);
    await edge.shutdown();
  });

  it('does not touch waitUntil for an ignored request', async () => {
    const app = new Hono<Env>();
    app.use(tracing({ tracer, ignore: ['/health'] }));
    app.get('/health', (c) => c.text('ok'));
    const handed: Array<Promise<unknown>> = [];
    const res = await app.request(
      '/health',
      {},
      {},
      {
        waitUntil: (p: Promise<unknown>) => handed.push(p),
        passThroughOnException: () => undefined,
        props: {},
      },
    );
    expect(await res.text()).toBe('ok');
    expect(handed).toHaveLength(0);
  });
});

describe('an unsampled request', () => {
  const CALLER = '4bf92f3577b34da6a3ce929d0e0e4736';
  const inbound = `00-${CALLER}-00f067aa0ba902b7-00`;
  const appFor = (t: Tracer) => {
    const app = new Hono<Env>();
    app.use(tracing({ tracer: t }));
    app.get('/work/:id', async (c) => {
      const child = c.get('span').startSpan('work');
      child.setAttribute('id', c.req.param('id'));
      child.log.info('working');
      child.end();
      return c.json({
        traceId: currentTrace()?.id ?? null,
        sampled: c.get('trace').sampled,
        onward: child.headers().traceparent,
      });
    });
    app.get('/fail', () => {
      throw new Error('boom');
    });
    app.onError((_error, c) => c.text('failed', 500));
    return app;
  };

  it('through app.request(): continues the caller, returns traceresponse, waits for nothing', async () => {
    const quietExporter = memoryExporter();
    const quiet = createTracer({ serviceName: 'quiet', exporter: quietExporter, context: false });
    const app = appFor(quiet);
    const handed: Array<Promise<unknown>> = [];
    const executionCtx = {
      waitUntil: (promise: Promise<unknown>) => handed.push(promise),
      passThroughOnException: () => undefined,
      props: {},
    };
    const res = await app.request(
      '/work/3',
      { headers: { traceparent: inbound } },
      {},
      executionCtx,
    );
    expect(res.status).toBe(200);
    const header = res.headers.get('traceresponse')!;
    expect(header).toMatch(new RegExp(`^00-${CALLER}-[0-9a-f]{16}-00$`));
    const body = (await res.json()) as { sampled: boolean; onward: string };
    expect(body.sampled).toBe(false);
    expect(body.onward).toMatch(new RegExp(`^00-${CALLER}-[0-9a-f]{16}-00$`));
    expect(body.onward.split('-')[2]).not.toBe(header.split('-')[2]);
    expect(handed).toHaveLength(0);
    const failed = await app.request('/fail', { headers: { traceparent: inbound } });
    expect(failed.status).toBe(500);
    expect(failed.headers.get('traceresponse')).toMatch(new RegExp(`^00-${CALLER}-`));
    await quiet.flush();
    expect(quietExporter.traces()).toHaveLength(0);
    await quiet.shutdown();
  });

  it('through a real server: the same, with the implicit context', async () => {
    const quietExporter = memoryExporter();
    const quiet = createTracer({ serviceName: 'quiet', exporter: quietExporter, sampler: 'never' });
    const server = await listen(appFor(quiet));
    try {
      const res = await fetch(`${server.url}/work/4`);
      const header = res.headers.get('traceresponse')!;
      expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-02$/);
      const body = (await res.json()) as { traceId: string; sampled: boolean; onward: string };
      expect(body.traceId).toBe(header.split('-')[1]);
      expect(body.onward).toMatch(new RegExp(`^00-${body.traceId}-[0-9a-f]{16}-02$`));
      await new Promise((resolve) => setTimeout(resolve, 30));
      await quiet.flush();
      expect(quietExporter.traces()).toHaveLength(0);
      expect(quiet.stats()).toMatchObject({ tracesStarted: 1, tracesUnsampled: 1 });
    } finally {
      await server.close();
      await quiet.shutdown();
    }
  });
});

describe('on Node', () => {
  it('never reads c.executionCtx, whose getter throws (an Error and its stack) on Node', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'node', exporter });
    let reads = 0;
    let restore: (() => void) | undefined;
    const app = new Hono();
    app.use(async (c, next) => {
      if (restore === undefined) {
        const proto = Object.getPrototypeOf(c) as object;
        const original = Object.getOwnPropertyDescriptor(proto, 'executionCtx')!;
        Object.defineProperty(proto, 'executionCtx', {
          ...original,
          get() {
            reads++;
            return original.get!.call(this);
          },
        });
        restore = () => Object.defineProperty(proto, 'executionCtx', original);
      }
      await next();
    });
    app.use(tracing({ tracer }));
    app.get('/ping', (c) => c.text('pong'));
    const server = await listen(app);
    try {
      for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/ping`)).status).toBe(200);
      await waitForTraces(tracer, exporter, (t) => t.name === 'GET /ping', 3);
      expect(reads).toBe(0);
    } finally {
      restore?.();
      await server.close();
    }
  });
});
