import http, { type IncomingHttpHeaders, get as namedGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createTracer,
  instrumentHttpClients,
  memoryExporter,
  runUntraced,
  type SpanData,
} from '@tracewire/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

let server: http.Server;
let base: string;
let seen: IncomingHttpHeaders[] = [];
const exporter = memoryExporter();
const tracer = createTracer({ serviceName: 'client', exporter });

beforeAll(async () => {
  instrumentHttpClients();
  instrumentHttpClients(); // idempotent: still one header per call
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.statusCode = req.url?.startsWith('/missing') ? 404 : 200;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  exporter.reset();
  instrumentHttpClients();
});

function nodeGet(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function clientSpans(): SpanData[] {
  return exporter.traces().flatMap((t) => t.spans.filter((s) => s.kind === 'client'));
}

describe('outgoing propagation', () => {
  it('fetch inside a trace gets a client span and carries traceparent', async () => {
    const trace = await tracer.trace('caller', async (t) => {
      const res = await fetch(`${base}/orders?id=7&token=secret`);
      await res.text();
      return t;
    });
    const [client] = clientSpans();
    expect(client).toBeDefined();
    expect(client!.parentId).toBe(trace.rootSpan.id);
    expect(client!.name).toBe(`GET ${new URL(base).host}`);
    expect(client!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'url.full': `${base}/orders?id=7&token=[REDACTED]`,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.traceparent).toBe(`00-${trace.id}-${client!.spanId}-03`);
  });

  it('node:http request and get carry traceparent (named ESM imports too)', async () => {
    const trace = await tracer.trace('caller', async (t) => {
      await nodeGet(`${base}/a`);
      await new Promise<void>((resolve) => {
        namedGet(`${base}/b`, (res) => {
          res.resume();
          res.on('end', resolve);
        });
      });
      await new Promise<void>((resolve) => {
        const req = http.request(`${base}/c`, { method: 'POST' }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.end('body');
      });
      return t;
    });
    const spans = clientSpans();
    expect(spans.map((s) => s.attributes['http.request.method'])).toEqual(['GET', 'GET', 'POST']);
    expect(seen.map((h) => h.traceparent)).toEqual(
      spans.map((s) => `00-${trace.id}-${s.spanId}-03`),
    );
  });

  it('never touches calls made outside a trace or by the exporters', async () => {
    await fetch(`${base}/outside`).then((r) => r.text());
    await nodeGet(`${base}/outside`);
    await tracer.trace('t', () =>
      runUntraced(() => fetch(`${base}/exporter`).then((r) => r.text())),
    );
    expect(seen.every((h) => h.traceparent === undefined)).toBe(true);
    expect(clientSpans()).toHaveLength(0);
  });

  it('does not inject twice when the caller set traceparent itself', async () => {
    const mine = '00-11111111111111111111111111111111-2222222222222222-01';
    await tracer.trace('t', async () => {
      await fetch(`${base}/manual`, { headers: { traceparent: mine } }).then((r) => r.text());
      await nodeGet(`${base}/manual`, { traceparent: mine });
    });
    expect(seen.map((h) => h.traceparent)).toEqual([mine, mine]);
  });

  it('propagateTo limits which hosts receive context, but spans are still recorded', async () => {
    const limited = createTracer({
      serviceName: 'limited',
      exporter,
      outgoing: { propagateTo: ['example.internal'] },
    });
    await limited.trace('t', async () => {
      await fetch(`${base}/third-party`).then((r) => r.text());
      await nodeGet(`${base}/third-party`);
    });
    expect(seen.every((h) => h.traceparent === undefined)).toBe(true);
    expect(clientSpans()).toHaveLength(2);
  });

  it("keeps each tracer's allow-list: two tracers in one process, created in either order", async () => {
    const blocking = createTracer({
      serviceName: 'blocking',
      exporter,
      outgoing: { propagateTo: ['example.internal'] },
    });
    // Created last, with defaults: before, a second configuration replaced the first process-wide.
    const open = createTracer({ serviceName: 'open', exporter });
    const off = createTracer({ serviceName: 'off', exporter, outgoing: false });
    await blocking.trace('blocked', () => fetch(`${base}/blocked`).then((r) => r.text()));
    await open.trace('open', () => fetch(`${base}/open`).then((r) => r.text()));
    await off.trace('off', () => fetch(`${base}/off`).then((r) => r.text()));
    await blocking.trace('blocked-again', () => nodeGet(`${base}/blocked`));
    expect(seen.map((h) => h.traceparent === undefined)).toEqual([true, false, true, true]);
    // `outgoing: false`: no client span either.
    const byService = exporter
      .traces()
      .map((t) => [t.name, t.spans.filter((s) => s.kind === 'client').length]);
    expect(byService).toEqual([
      ['blocked', 1],
      ['open', 1],
      ['off', 0],
      ['blocked-again', 1],
    ]);
  });

  it("redacts with the tracer's replacement text", async () => {
    const custom = createTracer({
      serviceName: 'custom',
      exporter,
      redact: { replacement: '***', queryParams: ['tenant'] },
    });
    await custom.trace('t', () =>
      fetch(`${base}/q?tenant=acme&jwt=abc;page=2`).then((r) => r.text()),
    );
    expect(clientSpans()[0]!.attributes['url.full']).toBe(`${base}/q?tenant=***&jwt=***;page=2`);
  });

  it("takes no process-wide options: the allow-list is the tracer's", () => {
    expect(() => instrumentHttpClients({ propagateTo: ['x'] })).toThrow(
      /createTracer\(\{ outgoing/,
    );
  });

  it('marks 4xx answers and connection errors as failed calls', async () => {
    const closed = await closedPort();
    await tracer.trace('t', async () => {
      await fetch(`${base}/missing`).then((r) => r.text());
      await fetch(`http://127.0.0.1:${closed}/refused`).catch(() => undefined);
      await nodeGet(`http://127.0.0.1:${closed}/refused`).catch(() => undefined);
    });
    const [missing, refusedFetch, refusedNode] = clientSpans();
    expect(missing!.status).toBe('error');
    expect(missing!.attributes['http.response.status_code']).toBe(404);
    expect(refusedFetch!.status).toBe('error');
    expect(refusedNode!.status).toBe('error');
    expect(refusedNode!.error?.message).toMatch(/ECONNREFUSED/);
  });

  it('sends the unsampled flag for unsampled traces without recording spans', async () => {
    const quiet = createTracer({ serviceName: 'q', exporter: memoryExporter(), sampler: 'never' });
    const trace = await quiet.trace('t', async (t) => {
      await fetch(`${base}/quiet`).then((r) => r.text());
      return t;
    });
    expect(seen[0]!.traceparent).toMatch(new RegExp(`^00-${trace.id}-[0-9a-f]{16}-02$`));
  });
});
