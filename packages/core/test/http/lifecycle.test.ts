import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  createTracer,
  currentSpan,
  currentTrace,
  memoryExporter,
  runUntraced,
  span,
} from '@tracewire/core';
import { httpServerTracing } from '@tracewire/core/http';
import { describe, expect, it } from 'vitest';

describe('httpServerTracing header capture', () => {
  it('never records secret headers, even when they are listed for capture', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({
      serviceName: 'capture',
      exporter,
      redact: { headers: ['X-Tenant'] },
    });
    const http = httpServerTracing({
      tracer,
      captureHeaders: {
        request: ['Authorization', 'x-api-key', 'x-tenant', 'x-session-id', 'x-region'],
        response: ['set-cookie', 'content-type'],
      },
    });
    const request = http.start({
      method: 'GET',
      url: '/things',
      headers: {
        authorization: 'Bearer s3cret',
        'x-api-key': 's3cret',
        'x-tenant': 's3cret',
        'x-session-id': 's3cret',
        'x-region': 'eu-1',
      },
    });
    const response: Record<string, string> = {
      'set-cookie': 'sid=s3cret',
      'content-type': 'text/plain',
    };
    request.end({ statusCode: 200, responseHeaders: response });
    await tracer.flush();
    const attributes = exporter.traces()[0]!.spans[0]!.attributes;
    expect(attributes['http.request.header.x-region']).toEqual(['eu-1']);
    expect(attributes['http.response.header.content-type']).toEqual(['text/plain']);
    expect(JSON.stringify(attributes)).not.toContain('s3cret');
  });

  it('keeps an exception seen on a 4xx as an event with its type and stack', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'exc', exporter });
    const http = httpServerTracing({ tracer });
    const request = http.start({ method: 'GET', url: '/x', headers: {} });
    request.end({ statusCode: 404, error: new RangeError('no such thing') });
    await tracer.flush();
    const [span] = exporter.traces()[0]!.spans;
    expect(span!.status).not.toBe('error');
    expect(span!.events![0]!.attributes).toMatchObject({
      'exception.message': 'no such thing',
      'exception.type': 'RangeError',
    });
    expect(span!.events![0]!.attributes!['exception.stacktrace']).toContain('no such thing');
  });
});

describe('httpServerTracing method names', () => {
  it('names known methods as OpenTelemetry does, keeps any other spelling as the original, and collapses the unknown', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'methods', exporter });
    const http = httpServerTracing({ tracer });
    const long = `X${'Y'.repeat(100)}`;
    for (const method of ['GET', 'post', 'BREW', long]) {
      http.start({ method, url: '/m', headers: {} }).end({ statusCode: 200, route: '/m' });
    }
    await tracer.flush();
    const seen = exporter.traces().map((t) => ({
      name: t.name,
      method: t.spans[0]!.attributes['http.request.method'],
      original: t.spans[0]!.attributes['http.request.method_original'],
    }));
    expect(seen).toEqual([
      { name: 'GET /m', method: 'GET', original: undefined },
      { name: 'POST /m', method: 'POST', original: 'post' },
      { name: '_OTHER /m', method: '_OTHER', original: 'BREW' },
      { name: '_OTHER /m', method: '_OTHER', original: long.slice(0, 64) },
    ]);
  });
});

describe('ServerRequest.resume()', () => {
  it('puts back a lost context for what runs and is scheduled after it, and leaves a child span current', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'resume', exporter });
    const http = httpServerTracing({ tracer });
    const request = http.start({ method: 'GET', url: '/lost', headers: {} });
    const trace = request.trace!;

    // A callback that lost the context, as a careless middleware leaves it.
    const seen = await new Promise<(string | undefined)[]>((resolve) => {
      runUntraced(() =>
        setImmediate(async () => {
          const before = currentTrace()?.id;
          request.resume();
          const now = currentTrace()?.id;
          await Promise.resolve();
          const awaited = currentSpan()?.id;
          resolve([before, now, awaited]);
        }),
      );
    });
    expect(seen).toEqual([undefined, trace.id, trace.rootSpan.id]);

    // Inside the request's own context it changes nothing: a child span stays current.
    await request.run(() =>
      span('child', async (child) => {
        request.resume();
        await Promise.resolve();
        expect(currentSpan()).toBe(child);
      }),
    );
    request.end({ statusCode: 200 });
    await tracer.flush();
    expect(exporter.traces()[0]!.spans.map((s) => s.name)).toEqual(['GET', 'child']);
  });

  it('does nothing when context is off', async () => {
    const tracer = createTracer({
      serviceName: 'resume-off',
      exporter: memoryExporter(),
      context: false,
    });
    const request = httpServerTracing({ tracer }).start({
      method: 'GET',
      url: '/',
      headers: {},
    });
    request.resume();
    expect(currentTrace()).toBeUndefined();
    request.end({ statusCode: 200 });
    await tracer.shutdown();
  });
});

describe('httpServerTracing with lowercase headers (Node requests)', () => {
  const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  async function attributesOf(
    request: Parameters<ReturnType<typeof httpServerTracing>['start']>[0],
  ) {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'lowercase', exporter });
    const http = httpServerTracing({
      tracer,
      captureHeaders: { request: ['Accept'] },
    });
    http.start(request).end({ statusCode: 200 });
    await tracer.flush();
    return exporter.traces()[0]!;
  }

  it('reads the same context and attributes as the generic search does', async () => {
    const headers = {
      host: 'api.example.com:8443',
      'user-agent': 'curl/8',
      'content-length': '12',
      accept: 'application/json',
      traceparent: parent,
      tracestate: 'vendor=1',
      baggage: 'tenant=acme',
    };
    const generic = await attributesOf({ method: 'POST', url: '/a', headers });
    const lowercase = await attributesOf({
      method: 'POST',
      url: '/a',
      headers,
      lowercaseHeaders: true,
    });
    const expected = {
      'server.address': 'api.example.com',
      'server.port': 8443,
      'user_agent.original': 'curl/8',
      'http.request.body.size': 12,
      'http.request.header.accept': ['application/json'],
    };
    expect(generic.spans[0]!.attributes).toMatchObject(expected);
    expect(lowercase.spans[0]!.attributes).toEqual(generic.spans[0]!.attributes);
    expect(lowercase.id).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(lowercase.parentSpanId).toBe('00f067aa0ba902b7');
  });

  it('takes names as given: a mixed-case name is only found without the hint', async () => {
    const headers = { Host: 'example.com', TraceParent: parent };
    const generic = await attributesOf({ method: 'GET', url: '/', headers });
    const hinted = await attributesOf({ method: 'GET', url: '/', headers, lowercaseHeaders: true });
    expect(generic.spans[0]!.attributes['server.address']).toBe('example.com');
    expect(generic.parentSpanId).toBe('00f067aa0ba902b7');
    expect(hinted.spans[0]!.attributes['server.address']).toBeUndefined();
    expect(hinted.parentSpanId).toBeUndefined();
  });

  it('joins repeated values and ignores values that are not strings', async () => {
    const trace = await attributesOf({
      method: 'GET',
      url: '/',
      headers: { 'user-agent': ['a', 'b'], host: 42, traceparent: [parent, parent] } as never,
      lowercaseHeaders: true,
    });
    expect(trace.spans[0]!.attributes['user_agent.original']).toBe('a, b');
    expect(trace.spans[0]!.attributes['server.address']).toBeUndefined();
    // Two traceparent values are no valid traceparent: a new trace.
    expect(trace.parentSpanId).toBeUndefined();
  });

  it('is what nodeRequestInfo() says of a Node request', async () => {
    const { nodeRequestInfo } = await import('@tracewire/core/http');
    const info = nodeRequestInfo({
      method: 'GET',
      url: '/',
      headers: {},
      httpVersion: '1.1',
    } as never);
    expect(info.lowercaseHeaders).toBe(true);
  });
});

describe('httpServerTracing response attributes', () => {
  async function finished(
    setup: (
      span: NonNullable<ReturnType<ReturnType<typeof httpServerTracing>['start']>['span']>,
    ) => void,
    limits?: { maxAttributesPerSpan?: number; maxAttributeValueLength?: number },
    route = '/users/:id',
  ) {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'outcome', exporter, limits });
    const http = httpServerTracing({ tracer, captureHeaders: { request: [] } });
    const request = http.start({ method: 'GET', url: '/users/7', headers: {} });
    setup(request.span!);
    request.end({ statusCode: 201, route, responseSize: 41 });
    await tracer.flush();
    return exporter.traces()[0]!;
  }

  it('records the route, status and body size', async () => {
    const trace = await finished(() => {});
    expect(trace.spans[0]!.attributes).toMatchObject({
      'http.route': '/users/:id',
      'http.response.status_code': 201,
      'http.response.body.size': 41,
    });
    expect(trace.dropped.attributes).toBe(0);
  });

  it('overwrites what the app set under the same names, counting each name once', async () => {
    const trace = await finished(
      (span) => {
        span.setAttribute('http.route', '/mine');
        span.setAttribute('http.response.status_code', 599);
      },
      { maxAttributesPerSpan: 7 },
    );
    const attributes = trace.spans[0]!.attributes;
    expect(attributes['http.route']).toBe('/users/:id');
    expect(attributes['http.response.status_code']).toBe(201);
    expect(attributes['http.response.body.size']).toBe(41);
    expect(trace.dropped.attributes).toBe(0);
  });

  it('keeps within maxAttributesPerSpan and truncates a long route, as setAttribute does', async () => {
    // The request's own attributes take three slots (method, path, scheme): of
    // the response's three, only the first fits.
    const full = await finished(() => {}, { maxAttributesPerSpan: 4 });
    const attributes = full.spans[0]!.attributes;
    expect(Object.keys(attributes)).toHaveLength(4);
    expect(attributes['http.route']).toBe('/users/:id');
    expect(attributes['http.response.status_code']).toBeUndefined();
    expect(full.dropped.attributes).toBe(2);

    const long = await finished(() => {}, { maxAttributeValueLength: 5 }, '/a-very-long-route');
    expect(long.spans[0]!.attributes['http.route']).toBe('/a-ve');
    expect(long.dropped.truncatedAttributes).toBeGreaterThan(0);
  });
});

describe('requestRegistry()', () => {
  it('is one weak map per name, process-wide under the registered symbol', async () => {
    const { requestRegistry } = await import('@tracewire/core/http');
    const a = requestRegistry('tracewire.test.requests');
    expect(requestRegistry('tracewire.test.requests')).toBe(a);
    expect(requestRegistry('tracewire.test.other')).not.toBe(a);
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('tracewire.test.requests')]).toBe(a);
    // Something else under the name is replaced, never used as a map.
    (globalThis as Record<symbol, unknown>)[Symbol.for('tracewire.test.taken')] = { get: 1 };
    expect(requestRegistry('tracewire.test.taken')).toBeInstanceOf(WeakMap);
  });
});

describe('handle() and the request registry', () => {
  const info = () => ({ method: 'GET', url: '/r', headers: {} });

  it('lets go of an ended request and its trace while the framework still holds its request object', async () => {
    const { serverRequestOf } = await import('@tracewire/core/http');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const tracer = createTracer({ serviceName: 'registry', exporter: memoryExporter() });
    const http = httpServerTracing({ tracer });
    // The framework's request object lives on (a keep-alive socket's, a pooled context).
    const key = {};
    let ended: WeakRef<object> | undefined;
    let trace: WeakRef<object> | undefined;
    http.handle(key, info, () => {
      const request = serverRequestOf(key)!;
      ended = new WeakRef(request);
      trace = new WeakRef(request.trace!);
      request.end({ statusCode: 200 });
    });
    await tracer.flush();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(ended!.deref()).toBeUndefined();
    expect(trace!.deref()).toBeUndefined();
    // Still known as traced: ended, with no trace to touch.
    expect(serverRequestOf(key)?.isEnded).toBe(true);
    expect(serverRequestOf(key)?.trace).toBeUndefined();
  });

  it.each(['map', 'property'] as const)(
    'finds the request again, and lets go of it at the end, keyed by %s',
    async (keyedBy) => {
      const { serverRequestOf } = await import('@tracewire/core/http');
      const tracer = createTracer({ serviceName: 'registry', exporter: memoryExporter() });
      const http = httpServerTracing({ tracer });
      const key = {};
      let found: unknown;
      http.handle(
        key,
        info,
        () => {
          found = serverRequestOf(key);
        },
        (request) => {
          expect(serverRequestOf(key)).toBe(request);
        },
        keyedBy,
      );
      expect((found as { trace?: unknown }).trace).toBeDefined();
      expect(Object.getOwnPropertySymbols(key)).toHaveLength(keyedBy === 'property' ? 1 : 0);
      (found as { end: () => void }).end();
      expect(serverRequestOf(key)).not.toBe(found);
      expect(serverRequestOf(key)?.isEnded).toBe(true);
      await tracer.flush();
    },
  );

  it('keeps a frozen request object in the map instead', async () => {
    const { serverRequestOf } = await import('@tracewire/core/http');
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'registry', exporter });
    const http = httpServerTracing({ tracer });
    const key = Object.freeze({});
    let traced: unknown;
    http.handle(
      key,
      info,
      () => {
        traced = serverRequestOf(key)?.trace;
        serverRequestOf(key)?.end();
      },
      undefined,
      'property',
    );
    // Installed twice: the second finds the request in the map.
    const key2 = Object.freeze({});
    let inner: unknown = 'not run';
    http.handle(
      key2,
      info,
      () =>
        http.handle(
          key2,
          info,
          () => {
            inner = currentTrace();
          },
          (request) => request.end({ statusCode: 200 }),
          'property',
        ),
      (request) => request.end({ statusCode: 200 }),
      'property',
    );
    await tracer.flush();
    expect(traced).toBeDefined();
    expect(exporter.traces()).toHaveLength(2);
    expect(inner).toBeDefined();
    expect(exporter.traces()[1]!.spans).toHaveLength(1);
  });

  it.each(['map', 'property'] as const)(
    'lets an unsampled request go with its request object in a young-generation collection (keyed by %s)',
    async (keyedBy) => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
      const tracer = createTracer({ serviceName: 'r', exporter: memoryExporter(), sampler: 0 });
      const http = httpServerTracing({ tracer });
      // Request objects of about 2 KiB; an unsampled request is never ended.
      const serve = (count: number) => {
        for (let i = 0; i < count; i++) {
          const key = { payload: new Array(256).fill(i) };
          http.handle(key, info, () => undefined, undefined, keyedBy);
        }
      };
      serve(100);
      gc();
      gc();
      const before = process.memoryUsage().heapUsed;
      serve(2000);
      gc({ type: 'minor' });
      gc({ type: 'minor' });
      // About 4 MiB if each entry held its own key (a map value referring to its key
      // survives every young-generation collection); measured at 0.1 MiB without.
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(1024 * 1024);
    },
  );

  it('still traces a request once when the middleware runs again after it ended', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'registry', exporter });
    const http = httpServerTracing({ tracer });
    const key = {};
    http.handle(
      key,
      info,
      () => undefined,
      (request) => request.end({ statusCode: 499 }),
    );
    let inner: ReturnType<typeof currentTrace>;
    http.handle(key, info, () => {
      inner = currentTrace();
    });
    await tracer.flush();
    expect(exporter.traces()).toHaveLength(1);
    expect(inner).toBeUndefined();
  });
});
