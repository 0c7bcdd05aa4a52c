import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTracer, memoryExporter, type TraceData } from '@tracewire/core';
import { endWithNodeResponse, httpServerTracing, nodeRequestInfo } from '@tracewire/core/http';
import { describe, expect, it } from 'vitest';
import { redactQuery } from '../../src/http/internal/redact';

async function traced(
  info: Parameters<ReturnType<typeof httpServerTracing>['start']>[0],
  options: Parameters<typeof httpServerTracing>[0] = {},
  limits = {},
): Promise<TraceData> {
  const exporter = memoryExporter();
  const tracer = createTracer({ serviceName: 'redaction', exporter, limits });
  httpServerTracing({ tracer, ...options })
    .start(info)
    .end({ statusCode: 200 });
  await tracer.flush();
  await tracer.shutdown();
  return exporter.traces()[0]!;
}

describe('query redaction', () => {
  it('redacts `;`-separated parameters and keeps the separators', () => {
    expect(redactQuery('a=1;token=abc;b=2&sig=x', [], '[R]')).toBe('a=1;token=[R];b=2&sig=[R]');
  });

  it.each(['jwt', 'otp', 'sid', 'ticket', 'pass', 'id_jwt', 'passphrase', 'auth_ticket'])(
    'redacts %s',
    (name) => {
      expect(redactQuery(`q=shoes&${name}=s3cret`, [], '[R]')).toBe(`q=shoes&${name}=[R]`);
    },
  );

  it('leaves ordinary names alone', () => {
    expect(redactQuery('side=left&inside=1&compass=n&page=2', [], '[R]')).toBe(
      'side=left&inside=1&compass=n&page=2',
    );
  });
});

describe('captured headers', () => {
  it('refuses names that look like secrets unless forced', async () => {
    const headers = {
      'x-signature': 's3cret',
      'x-access-key': 's3cret',
      'private-key': 's3cret',
      'x-csrf-token': 's3cret',
      'x-idempotency-key': 'idem-1',
      authorization: 'Bearer s3cret',
      'x-region': 'eu-1',
    };
    const listed = Object.keys(headers);
    const refused = await traced(
      { method: 'GET', url: '/', headers },
      { captureHeaders: { request: listed } },
    );
    const attributes = refused.spans[0]!.attributes;
    expect(attributes['http.request.header.x-region']).toEqual(['eu-1']);
    expect(JSON.stringify(attributes)).not.toContain('s3cret');
    expect(attributes['http.request.header.x-idempotency-key']).toBeUndefined();
    const forced = await traced(
      { method: 'GET', url: '/', headers },
      { captureHeaders: { request: listed, force: ['x-idempotency-key', 'authorization'] } },
    );
    const kept = forced.spans[0]!.attributes;
    expect(kept['http.request.header.x-idempotency-key']).toEqual(['idem-1']);
    // authorization and cookies are never recorded, forced or not.
    expect(JSON.stringify(kept)).not.toContain('s3cret');
  });

  it('obey maxAttributeValueLength, counted as truncated', async () => {
    const trace = await traced(
      { method: 'GET', url: '/', headers: { 'x-request-id': 'r'.repeat(15_184) } },
      {},
      { maxAttributeValueLength: 64 },
    );
    expect(trace.spans[0]!.attributes['http.request.header.x-request-id']).toEqual([
      'r'.repeat(64),
    ]);
    expect(trace.dropped.truncatedAttributes).toBe(1);
  });

  it('a 1 MB header through a real server with a raised maxHeaderSize is cut to the limit', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'big-header', exporter });
    const http = httpServerTracing({ tracer });
    const server = createServer({ maxHeaderSize: 2 * 1024 * 1024 }, (req, res) =>
      http.handle(
        req,
        () => nodeRequestInfo(req),
        () => res.end('ok'),
        (request) => endWithNodeResponse(request, res),
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const big = 'x'.repeat(1024 * 1024);
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          headers: { 'x-request-id': big },
          maxHeaderSize: 2 * 1024 * 1024,
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end();
    });
    for (let i = 0; i < 50 && exporter.traces().length === 0; i++) {
      await tracer.flush();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    server.close();
    await tracer.shutdown();
    const [trace] = exporter.traces();
    const value = trace!.spans[0]!.attributes['http.request.header.x-request-id'] as string[];
    expect(value[0]!.length).toBe(tracer.limits.maxAttributeValueLength);
    expect(trace!.dropped.truncatedAttributes).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(trace).length).toBeLessThan(64 * 1024);
  });
});
