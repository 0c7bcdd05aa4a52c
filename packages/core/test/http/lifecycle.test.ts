import {
  createTracer,
  currentSpan,
  currentTrace,
  httpServerTracing,
  memoryExporter,
  runUntraced,
  span,
} from '@tracewire/core';
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
      outgoing: false,
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
    const http = httpServerTracing({ tracer, outgoing: false });
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
    const http = httpServerTracing({ tracer, outgoing: false });
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
    const http = httpServerTracing({ tracer, outgoing: false });
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
    const request = httpServerTracing({ tracer, outgoing: false }).start({
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
