import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CallHandler,
  type ExecutionContext,
  type INestApplication,
  Module,
  VersioningType,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  createTracer,
  memoryExporter,
  type SpanData,
  setDefaultTracer,
  type TraceData,
  type Tracer,
} from '@tracewire/core';
import { waitForTraces } from '@tracewire/core/testing';
import { TRACER, TracingInterceptor, TracingModule } from '@tracewire/nestjs';
import { of } from 'rxjs';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapterFor, listen, nestMajor, type Platform, platforms } from './support/nest';
import { fileInterceptorOf, usersModule } from './support/users-app';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

function root(trace: TraceData): SpanData {
  return trace.spans[0]!;
}

function spanNamed(trace: TraceData, name: string): SpanData {
  const found = trace.spans.find((s) => s.name === name);
  if (!found) throw new Error(`no span ${name} in ${trace.spans.map((s) => s.name).join(', ')}`);
  return found;
}

/** A plain node:http service on 127.0.0.1 that the app calls. */
async function startUpstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function startApp(
  platform: Platform,
  tracing: object,
  upstream: string,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [usersModule(tracing, platform, upstream)],
  }).compile();
  const app = moduleRef.createNestApplication(adapterFor(platform), {
    logger: false,
    abortOnError: false,
  });
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI });
  return app;
}

/**
 * Starts the users app with `TracingModule.forRoot(options(tracer))` for the
 * enclosing describe block; the handles are filled in by its beforeAll.
 */
function tracedApp(
  platform: Platform,
  serviceName: string,
  options: (tracer: Tracer) => Parameters<typeof TracingModule.forRoot>[0],
) {
  const handle = {
    exporter: memoryExporter(),
    tracer: undefined as unknown as Tracer,
    app: undefined as unknown as INestApplication,
    url: '',
    upstream: undefined as unknown as { url: string; server: Server },
    traceOf: async (path: string) => {
      const [trace] = await waitForTraces(
        handle.tracer,
        handle.exporter,
        (t) => root(t).attributes['url.path'] === path,
      );
      return trace!;
    },
  };
  beforeAll(async () => {
    handle.upstream = await startUpstream();
    handle.tracer = createTracer({
      serviceName,
      exporter: handle.exporter,
      batch: { scheduledDelayMs: 5 },
    });
    handle.app = await startApp(
      platform,
      TracingModule.forRoot(options(handle.tracer)),
      handle.upstream.url,
    );
    ({ url: handle.url } = await listen(handle.app));
  });
  afterAll(async () => {
    await handle.app?.close();
    handle.upstream?.server.close();
    await handle.tracer?.shutdown();
  });
  return handle;
}

/** The default global guard, and the opt-in global interceptor: each must trace the same. */
const modes = [
  ['guard', undefined],
  ['interceptor', true],
] as const;
const setups = modes.flatMap(([mode, interceptor]) =>
  platforms.map((platform) => [platform, mode, interceptor] as const),
);

describe.each(setups)(`nestjs ${nestMajor} on %s, %s`, (platform, _mode, interceptor) => {
  const traced = tracedApp(platform, `nest-${platform}`, (tracer) =>
    interceptor === undefined ? { tracer } : { tracer, interceptor },
  );
  const { exporter, traceOf } = traced;
  let tracer: Tracer;
  let app: INestApplication;
  let url: string;

  beforeAll(() => {
    ({ tracer, app, url } = traced);
  });

  beforeEach(() => exporter.reset());

  it('names the server span by route template, with global prefix and URI version', async () => {
    const res = await request(url).get('/api/v1/users/7').expect(200);
    expect(res.body).toEqual({ id: '7', name: 'user 7' });
    const trace = await traceOf('/api/v1/users/7');
    const server = root(trace);
    expect(trace.name).toBe('GET /api/v1/users/:id');
    expect(server.name).toBe('GET /api/v1/users/:id');
    expect(server.attributes['http.route']).toBe('/api/v1/users/:id');
    expect(server.attributes['nest.controller']).toBe('UsersController');
    expect(server.attributes['nest.handler']).toBe('find');
    expect(server.attributes['code.function.name']).toBe('UsersController.find');
    expect(res.headers.traceresponse).toMatch(
      new RegExp(`^00-${trace.id}-${server.spanId}-0[13]$`),
    );
  });

  it('names unversioned routes by their template too', async () => {
    await request(url).get('/api/errors/pipe/12').expect(200);
    const trace = await traceOf('/api/errors/pipe/12');
    expect(trace.name).toBe('GET /api/errors/pipe/:id');
    expect(root(trace).attributes['nest.controller']).toBe('ErrorsController');
  });

  it('names the controller that served an inherited handler', async () => {
    await request(url).get('/api/alpha/ping').expect(200);
    await request(url).get('/api/beta/ping').expect(200);
    const alpha = root(await traceOf('/api/alpha/ping'));
    const beta = root(await traceOf('/api/beta/ping'));
    expect(alpha.attributes['code.function.name']).toBe('AlphaController.ping');
    expect(beta.attributes['code.function.name']).toBe('BetaController.ping');
    expect(beta.name).toBe('GET /api/beta/ping');
  });

  it('continues the caller trace from traceparent', async () => {
    await request(url)
      .get('/api/v1/users/8')
      .set('traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`)
      .expect(200);
    const trace = await traceOf('/api/v1/users/8');
    expect(trace.id).toBe(CALLER_TRACE);
    expect(root(trace).parentId).toBe(CALLER_SPAN);
  });

  it('nests @Traced service and repository methods under the server span', async () => {
    await request(url).get('/api/v1/users/9').expect(200);
    const trace = await traceOf('/api/v1/users/9');
    const service = spanNamed(trace, 'users.find');
    const repository = spanNamed(trace, 'UsersRepository.load');
    expect(service.parentId).toBe(root(trace).spanId);
    expect(repository.parentId).toBe(service.spanId);
    expect(repository.endTime).toBeLessThanOrEqual(service.endTime);
  });

  it.each([
    ['above', 'tracedAbove'],
    ['below', 'tracedBelow'],
  ])('keeps route metadata when @Traced is %s the route decorator', async (position, handler) => {
    const res = await request(url).get(`/api/users/5/traced-${position}`).expect(200);
    expect(res.body).toEqual({ id: '5', span: `handler.${position}` });
    const trace = await traceOf(`/api/users/5/traced-${position}`);
    expect(trace.name).toBe(`GET /api/users/:id/traced-${position}`);
    expect(root(trace).attributes['nest.handler']).toBe(handler);
    expect(spanNamed(trace, `handler.${position}`).parentId).toBe(root(trace).spanId);
  });

  it('runs async guards inside the trace', async () => {
    await request(url).get('/api/v1/users/10').expect(200);
    const trace = await traceOf('/api/v1/users/10');
    const guard = spanNamed(trace, 'auth.check');
    expect(guard.parentId).toBe(root(trace).spanId);
    expect(guard.attributes['auth.allowed']).toBe(true);
    expect(guard.endTime).toBeLessThanOrEqual(spanNamed(trace, 'users.find').startTime);
  });

  it('names a request a guard rejected by its route, and a 403 is not an error', async () => {
    await request(url).get('/api/v1/users/11').set('x-deny', '1').expect(403);
    const trace = await traceOf('/api/v1/users/11');
    expect(trace.name).toBe('GET /api/v1/users/:id');
    expect(root(trace).attributes['http.response.status_code']).toBe(403);
    expect(root(trace).status).not.toBe('error');
    expect(spanNamed(trace, 'auth.check').parentId).toBe(root(trace).spanId);
  });

  it('counts a guard that crashes (a 500) as an error', async () => {
    await request(url).get('/api/v1/users/15').set('x-crash', '1').expect(500);
    const trace = await traceOf('/api/v1/users/15');
    expect(trace.name).toBe('GET /api/v1/users/:id');
    expect(root(trace).status).toBe('error');
    // The exception itself, seen where Nest hands it to its filters, not just "HTTP 500".
    expect(root(trace).error?.message).toBe('guard crashed');
    expect(spanNamed(trace, 'auth.check').error?.message).toBe('guard crashed');
  });

  it('records what a Nest middleware throws as the error of its 500', async () => {
    await request(url).get('/api/errors/middleware').expect(500);
    const server = root(await traceOf('/api/errors/middleware'));
    expect(server.status).toBe('error');
    expect(server.error?.message).toBe('middleware crashed');
  });

  it('treats a 4xx HttpException as no error, and records it', async () => {
    await request(url).get('/api/errors/http/404').expect(404);
    const trace = await traceOf('/api/errors/http/404');
    const server = root(trace);
    expect(trace.name).toBe('GET /api/errors/http/:code');
    expect(server.status).not.toBe('error');
    expect(server.attributes['http.response.status_code']).toBe(404);
    expect(server.events?.find((e) => e.name === 'exception')?.attributes?.['exception.type']).toBe(
      'HttpException',
    );
  });

  it('records a 5xx HttpException as the error, with its stack', async () => {
    await request(url).get('/api/errors/http/503').expect(503);
    const server = root(await traceOf('/api/errors/http/503'));
    expect(server.status).toBe('error');
    expect(server.error?.message).toBe('status 503');
    expect(server.error?.type).toBe('HttpException');
    expect(server.error?.stack).toContain('status 503');
  });

  it('records a thrown error that becomes a 500, with its stack', async () => {
    const res = await request(url).get('/api/errors/thrown').expect(500);
    expect(res.body).toEqual({ statusCode: 500, message: 'Internal server error' });
    const server = root(await traceOf('/api/errors/thrown'));
    expect(server.status).toBe('error');
    expect(server.attributes['http.response.status_code']).toBe(500);
    expect(server.error?.message).toBe('kaboom');
    expect(server.error?.stack).toContain('kaboom');
  });

  it('sees errors from pipes: a validation failure is a 400, not an error', async () => {
    await request(url).get('/api/errors/pipe/abc').expect(400);
    const server = root(await traceOf('/api/errors/pipe/abc'));
    expect(server.status).not.toBe('error');
    expect(server.events?.find((e) => e.name === 'exception')?.attributes?.['exception.type']).toBe(
      'BadRequestException',
    );
  });

  it('leaves user exception filters in charge: the same error reaches them, their status decides', async () => {
    const conflict = await request(url).get('/api/errors/domain/409').expect(409);
    expect(conflict.body).toEqual({ custom: true, message: 'domain says no', sameError: true });
    const failure = await request(url).get('/api/errors/domain/500').expect(500);
    expect(failure.body).toEqual({ custom: true, message: 'domain says no', sameError: true });
    const handled = root(await traceOf('/api/errors/domain/409'));
    expect(handled.status).not.toBe('error');
    expect(
      handled.events?.find((e) => e.name === 'exception')?.attributes?.['exception.type'],
    ).toBe('DomainError');
    const failed = root(await traceOf('/api/errors/domain/500'));
    expect(failed.status).toBe('error');
    expect(failed.error?.type).toBe('DomainError');
    expect(failed.error?.stack).toContain('domain says no');
  });

  it('injects the trace and the current span with @CurrentTrace() and @CurrentSpan()', async () => {
    const res = await request(url).get('/api/context/params').expect(200);
    const trace = await traceOf('/api/context/params');
    expect(res.body).toEqual({
      traceId: trace.id,
      spanId: root(trace).spanId,
      implicitTraceId: trace.id,
    });
  });

  it('provides the tracer as TRACER and through @InjectTracer()', async () => {
    expect(app.get(TRACER)).toBe(tracer);
    const res = await request(url).get('/api/context/tracer').expect(200);
    expect(res.body).toEqual({ serviceName: `nest-${platform}` });
  });

  it('keeps the context in a service after an awaited outgoing fetch', async () => {
    const res = await request(url).get('/api/v1/users/12/profile').expect(200);
    const trace = await traceOf('/api/v1/users/12/profile');
    expect(res.body).toEqual({
      upstream: { path: '/profiles/12' },
      traceId: trace.id,
      spanName: 'UsersService.profile',
    });
    expect(spanNamed(trace, 'UsersService.profile').parentId).toBe(root(trace).spanId);
  });

  it('keeps the context through an RxJS pipeline in an interceptor', async () => {
    const res = await request(url).get('/api/v1/users/13/enriched').expect(200);
    const trace = await traceOf('/api/v1/users/13/enriched');
    expect(res.body).toEqual({ id: '13', name: 'user 13', rxTraceId: trace.id });
    expect(spanNamed(trace, 'rx.enrich').parentId).toBe(root(trace).spanId);
    expect(trace.name).toBe('GET /api/v1/users/:id/enriched');
  });

  it('gives the handler its trace back when a middleware lost the context', async () => {
    const res = await request(url).get('/api/context/lost').expect(200);
    const trace = await traceOf('/api/context/lost');
    expect(res.body).toEqual({ traceId: trace.id });
  });

  if (fileInterceptorOf(platform) !== undefined) {
    it('keeps the context through a FileInterceptor upload', async () => {
      const res = await request(url)
        .post('/api/uploads/14')
        .attach('file', Buffer.from('hello'), 'hello.txt')
        .expect(201);
      const trace = await traceOf('/api/uploads/14');
      expect(res.body).toEqual({ id: '14', size: 5, traceId: trace.id });
      expect(trace.name).toBe('POST /api/uploads/:id');
      expect(spanNamed(trace, 'UsersService.storeAvatar').parentId).toBe(root(trace).spanId);
    });
  }
});

describe(`TracingModule configuration (nestjs ${nestMajor})`, () => {
  it('forRootAsync() refuses an interceptor choice made inside the factory, when the app starts', async () => {
    const tracing = TracingModule.forRootAsync({
      useFactory: () => ({ interceptor: false }) as never,
    });
    await expect(startApp('express', tracing, 'http://127.0.0.1:9')).rejects.toThrow(
      /interceptor. next to .useFactory/,
    );
  });

  it('forRootAsync() builds the options from injected providers', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({
      serviceName: 'async-config',
      exporter,
      batch: { scheduledDelayMs: 5 },
    });
    @Module({
      providers: [{ provide: 'CONFIG', useValue: { tracer, ignore: ['/api/context/tracer'] } }],
      exports: ['CONFIG'],
    })
    class ConfigModule {}
    const tracing = TracingModule.forRootAsync({
      imports: [ConfigModule],
      inject: ['CONFIG'],
      useFactory: async (config: { tracer: Tracer; ignore: string[] }) => config,
    });
    const app = await startApp('express', tracing, 'http://127.0.0.1:9');
    const { url, close } = await listen(app);
    try {
      expect(app.get(TRACER)).toBe(tracer);
      await request(url).get('/api/context/tracer').expect(200, { serviceName: 'async-config' });
      await request(url).get('/api/v1/users/1').expect(200);
      const traces = await waitForTraces(
        tracer,
        exporter,
        (t) => t.name === 'GET /api/v1/users/:id',
      );
      expect(traces).toHaveLength(1);
      expect(exporter.traces().map((t) => t.name)).toEqual(['GET /api/v1/users/:id']);
    } finally {
      await close();
      await tracer.shutdown();
    }
  });

  it('forRoot() without a tracer uses the default tracer', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({
      serviceName: 'default',
      exporter,
      batch: { scheduledDelayMs: 5 },
    });
    setDefaultTracer(tracer);
    const app = await startApp('fastify', TracingModule.forRoot(), 'http://127.0.0.1:9');
    const { url, close } = await listen(app);
    try {
      expect(app.get(TRACER)).toBe(tracer);
      await request(url).get('/api/v1/users/2').expect(200);
      const [trace] = await waitForTraces(
        tracer,
        exporter,
        (t) => t.name === 'GET /api/v1/users/:id',
      );
      expect(root(trace!).attributes['url.path']).toBe('/api/v1/users/2');
    } finally {
      setDefaultTracer(undefined);
      await close();
      await tracer.shutdown();
    }
  });

  it('fails fast on wrong options, saying how to fix them', () => {
    expect(() => TracingModule.forRoot({ ignore: 'health' as never })).toThrow(
      /"ignore" must be an array/,
    );
    expect(() => TracingModule.forRootAsync({} as never)).toThrow(
      /takes \{ useFactory, inject\?, imports\? \}/,
    );
  });
});

describe(`TracingModule's guard and interceptor (nestjs ${nestMajor})`, () => {
  const provided = (module: ReturnType<typeof TracingModule.forRoot>) =>
    JSON.stringify(module.providers?.map((p) => String((p as { provide?: unknown }).provide)));

  it('registers a global guard by default, and the interceptor only when asked to', () => {
    expect(provided(TracingModule.forRoot())).toContain('APP_GUARD');
    expect(provided(TracingModule.forRoot())).not.toContain('APP_INTERCEPTOR');
    expect(provided(TracingModule.forRoot({ interceptor: true }))).toContain('APP_INTERCEPTOR');
    expect(provided(TracingModule.forRoot({ interceptor: true }))).not.toContain('APP_GUARD');
    const lean = TracingModule.forRootAsync({ useFactory: () => ({}) });
    expect(provided(lean)).not.toContain('APP_INTERCEPTOR');
    const full = TracingModule.forRootAsync({ useFactory: () => ({}), interceptor: true });
    expect(provided(full)).toContain('APP_INTERCEPTOR');
  });

  it('refuses an interceptor option that is not a boolean', () => {
    expect(() => TracingModule.forRoot({ interceptor: 'no' as unknown as boolean })).toThrow(
      /interceptor/,
    );
    expect(() =>
      TracingModule.forRootAsync({ useFactory: () => ({}), interceptor: 1 as unknown as boolean }),
    ).toThrow(/interceptor/);
  });
});

describe(`TracingInterceptor outside HTTP (nestjs ${nestMajor})`, () => {
  it('passes other execution contexts through untouched', () => {
    const handled = of('message');
    const next: CallHandler = { handle: () => handled };
    const touched: string[] = [];
    const rpc = new Proxy({} as ExecutionContext, {
      get: (_target, property) => {
        touched.push(String(property));
        return property === 'getType'
          ? () => 'rpc'
          : () => {
              throw new Error(`${String(property)} must not be called`);
            };
      },
    });
    expect(new TracingInterceptor().intercept(rpc, next)).toBe(handled);
    expect(touched).toEqual(['getType']);
  });
});
