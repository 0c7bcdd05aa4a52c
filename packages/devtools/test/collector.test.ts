import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { otlpExporter, toOtlpLogs, toOtlpTraces } from '@tracewire/otlp';
import { afterEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../src/index';
import { demoCheckout, nativeBatch, newSpanId, newTraceId, post } from './helpers/demo';

const servers: DevServer[] = [];
const dirs: string[] = [];

async function start(options: Parameters<typeof startDevServer>[0] = {}): Promise<DevServer> {
  const server = await startDevServer({ port: 0, quiet: true, settleMs: 50, ...options });
  servers.push(server);
  return server;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tracewire-devtools-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('ingestion', () => {
  it('accepts native JSON on /v1/tracewire and on /', async () => {
    const dev = await start();
    const demo = demoCheckout();
    const res = await post(`${dev.url}/v1/tracewire`, nativeBatch(demo.parts.slice(0, 2)));
    expect(res).toEqual({ status: 200, body: { accepted: { traces: 2, logs: 0 }, rejected: 0 } });
    const other = demoCheckout();
    expect((await post(`${dev.url}/`, nativeBatch([other.parts[0]!]))).status).toBe(200);

    const trace = dev.store.get(demo.traceId)!;
    expect(trace.services).toEqual(['gateway', 'orders']);
    expect(trace.spans).toHaveLength(7);
    expect(dev.store.get(other.traceId)?.services).toEqual(['gateway']);
  });

  it('accepts gzip-compressed native JSON with a bearer token', async () => {
    const dev = await start();
    const demo = demoCheckout();
    const res = await post(`${dev.url}/v1/tracewire`, nativeBatch(demo.parts), {
      gzip: true,
      headers: { authorization: 'Bearer dev-token' },
    });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toEqual({ traces: 4, logs: 0 });
    expect(dev.store.get(demo.traceId)?.services).toEqual([
      'gateway',
      'orders',
      'payments',
      'inventory',
    ]);
  });

  it('accepts OTLP/HTTP JSON traces and logs from OpenTelemetry senders', async () => {
    const dev = await start();
    const demo = demoCheckout();
    // One OTLP request can carry several services (a collector forwarding them).
    const res = await post(`${dev.url}/v1/traces`, toOtlpTraces(demo.parts));
    expect(res).toEqual({ status: 200, body: {} });

    const trace = await dev.store.waitFor((t) => t.id === demo.traceId);
    expect(trace.services).toEqual(['gateway', 'orders', 'payments', 'inventory']);
    expect(trace.rootSpanId).toBe(demo.ids.gatewayRoot);
    const llm = trace.spans.find((s) => s.spanId === demo.ids.llm)!;
    expect(llm).toMatchObject({
      kind: 'llm',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 1234, outputTokens: 56 },
      cost: 0.00042,
      serviceName: 'orders',
    });
    expect(trace.spans.find((s) => s.spanId === demo.ids.charge)?.error?.type).toBe(
      'CardDeclinedError',
    );

    const logs = toOtlpLogs([
      {
        level: 'warn',
        message: 'stock low',
        time: Date.now(),
        serviceName: 'inventory',
        traceId: demo.traceId,
        spanId: demo.ids.inventoryRoot,
      },
      { level: 'info', message: 'cache warmed', time: Date.now(), serviceName: 'inventory' },
    ]);
    expect((await post(`${dev.url}/v1/logs`, logs)).status).toBe(200);
    const withLog = dev.store.get(demo.traceId)!;
    expect(withLog.logs.map((l) => [l.level, l.message, l.spanId])).toEqual([
      ['warn', 'stock low', demo.ids.inventoryRoot],
    ]);
    expect(dev.store.logs().map((l) => [l.message, l.serviceName])).toEqual([
      ['cache warmed', 'inventory'],
    ]);
  });

  it('reads OTLP ids in base64 and enums as names, as the plain protobuf JSON mapping writes them', async () => {
    const dev = await start();
    const traceId = newTraceId();
    const spanId = newSpanId();
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'py-worker' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from(traceId, 'hex').toString('base64'),
                  spanId: Buffer.from(spanId, 'hex').toString('base64'),
                  name: 'process job',
                  kind: 'SPAN_KIND_CONSUMER',
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000250000000',
                  status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                },
              ],
            },
          ],
        },
      ],
    };
    expect((await post(`${dev.url}/v1/traces`, body)).status).toBe(200);
    const trace = dev.store.get(traceId)!;
    expect(trace).toMatchObject({ serviceName: 'py-worker', status: 'error', durationMs: 250 });
    expect(trace.spans[0]).toMatchObject({ spanId, kind: 'consumer', statusMessage: 'boom' });
  });

  it('takes native batches sent to /v1/traces, since exporters are often pointed there', async () => {
    const dev = await start();
    const demo = demoCheckout();
    const res = await post(`${dev.url}/v1/traces`, nativeBatch([demo.parts[2]!]));
    expect(res.status).toBe(200);
    expect(dev.store.get(demo.traceId)?.services).toEqual(['payments']);
  });

  it('accepts OTLP protobuf from the OTLP exporter at its defaults', async () => {
    const dev = await start();
    const demo = demoCheckout();
    const exporter = otlpExporter({ url: dev.url });
    const result = await exporter.export(
      { traces: demo.parts, logs: [] },
      AbortSignal.timeout(5000),
    );
    expect(result).toEqual({ ok: true });
    const trace = await dev.store.waitFor((t) => t.id === demo.traceId && t.services.length === 4);
    expect(trace.spans.length).toBe(demo.parts.reduce((n, part) => n + part.spans.length, 0));
  });

  it('answers bytes that are not OTLP protobuf with 400, and protobuf on the native endpoint with 415', async () => {
    const dev = await start();
    const garbage = await post(`${dev.url}/v1/traces`, new Uint8Array([0xff, 0xff, 0xff]), {
      contentType: 'application/x-protobuf',
    });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error).toContain('OTLP protobuf');
    const native = await post(`${dev.url}/v1/tracewire`, new Uint8Array([10, 0]), {
      contentType: 'application/x-protobuf',
    });
    expect(native.status).toBe(415);
    const stillWorks = await post(
      `${dev.url}/v1/tracewire`,
      nativeBatch([demoCheckout().parts[0]!]),
    );
    expect(stillWorks.status).toBe(200);
  });
});

describe('assembly over HTTP', () => {
  it('assembles three services sent out of order into one trace with the true root', async () => {
    const dev = await start();
    const demo = demoCheckout();
    const [gateway, orders, payments] = demo.parts;
    // Downstream services finish (and export) first; the gateway comes last.
    await post(`${dev.url}/v1/tracewire`, nativeBatch([payments!]));
    const partial = dev.store.get(demo.traceId)!;
    expect(partial.rootSpanId).toBe(demo.ids.paymentsRoot);
    expect(partial.parentSpanId).toBe(demo.ids.ordersToPayments);

    await post(`${dev.url}/v1/tracewire`, nativeBatch([gateway!]), { gzip: true });
    await post(`${dev.url}/v1/tracewire`, toOtlpTraces([orders!]) as never);

    const finished = await dev.store.waitFor((t) => t.id === demo.traceId && t.finished);
    expect(finished.partCount).toBe(3);
    expect(finished.rootSpanId).toBe(demo.ids.gatewayRoot);
    expect(finished.parentSpanId).toBeUndefined();
    expect(finished.name).toBe('POST /checkout');
    expect(finished.serviceName).toBe('gateway');
    expect(finished.services).toEqual(['gateway', 'orders', 'payments']);
    expect(finished.status).toBe('error');
    expect(finished.errorCount).toBe(1);
    expect(finished.spans[0]!.spanId).toBe(demo.ids.gatewayRoot);
    const byId = new Map(finished.spans.map((s) => [s.spanId, s]));
    expect(byId.get(demo.ids.ordersRoot)).toMatchObject({
      parentId: demo.ids.gatewayCall,
      serviceName: 'orders',
      attributes: expect.objectContaining({ 'service.name': 'orders' }),
    });
    expect(byId.get(demo.ids.paymentsRoot)?.parentId).toBe(demo.ids.ordersToPayments);
    expect(byId.get(demo.ids.charge)?.serviceName).toBe('payments');
    // Every span's parent is in the trace, except the root's.
    for (const span of finished.spans.slice(1)) expect(byId.has(span.parentId!)).toBe(true);
    expect(finished.startTime).toBe(gateway!.startTime);
    expect(finished.endTime).toBe(gateway!.endTime);
    expect(finished.durationMs).toBe(gateway!.endTime - gateway!.startTime);
    expect(finished.logs.map((l) => l.message)).toEqual(['charge failed for order 42']);
  });

  it('prints each finished trace as a waterfall naming the services, and calls onTrace', async () => {
    let out = '';
    const seen: string[] = [];
    const dev = await start({
      quiet: false,
      colors: false,
      write: (text) => {
        out += text;
      },
      onTrace: (trace) => seen.push(`${trace.id}:${trace.services.length}`),
    });
    const demo = demoCheckout();
    await post(`${dev.url}/v1/tracewire`, nativeBatch(demo.parts));
    await dev.store.waitFor((t) => t.id === demo.traceId && t.finished);
    expect(seen).toEqual([`${demo.traceId}:4`]);
    expect(out).toContain('POST /checkout');
    expect(out).toContain(`${dev.url}/trace/${demo.traceId}`);
    expect(out).toContain('gateway, orders, payments, inventory');
    expect(out).toContain('[payments] POST /charge');
    expect(out).not.toContain('[orders] validate cart');
    expect(out).toContain('✗ CardDecl');
    expect(out).toContain('gpt-4o-mini');
  });
});

describe('bounds and bad input', () => {
  it('keeps at most maxTraces, evicting the oldest', async () => {
    const dev = await start({ maxTraces: 3 });
    const demos = Array.from({ length: 5 }, () => demoCheckout());
    for (const demo of demos) {
      expect((await post(`${dev.url}/v1/tracewire`, nativeBatch([demo.parts[0]!]))).status).toBe(
        200,
      );
    }
    expect(dev.store.size).toBe(3);
    expect(dev.store.get(demos[0]!.traceId)).toBeUndefined();
    expect(dev.store.get(demos[1]!.traceId)).toBeUndefined();
    expect(
      dev.store
        .list()
        .map((t) => t.id)
        .sort(),
    ).toEqual(
      demos
        .slice(2)
        .map((d) => d.traceId)
        .sort(),
    );
    const res = await fetch(`${dev.url}/api/traces/${demos[0]!.traceId}`);
    expect(res.status).toBe(404);
  });

  it('answers malformed bodies with 400 and a message, and keeps working', async () => {
    const dev = await start();
    const cases: Array<[string, unknown, Parameters<typeof post>[2]?]> = [
      ['/v1/tracewire', '{"traces": ['],
      ['/v1/tracewire', '[1, 2, 3]'],
      ['/v1/tracewire', { traces: 'nope' }],
      ['/v1/tracewire', { schemaVersion: 2, traces: [] }],
      ['/v1/tracewire', { traces: [{ id: 'not-hex', spans: [] }] }],
      ['/v1/tracewire', ''],
      ['/v1/traces', '"just a string"'],
      ['/v1/logs', 'null'],
      [
        '/v1/tracewire',
        Buffer.from('this is not gzip'),
        { headers: { 'content-encoding': 'gzip' } },
      ],
    ];
    for (const [path, body, options] of cases) {
      const res = await post(`${dev.url}${path}`, body, options);
      expect(res.status, `${path} ${String(body)}`).toBe(400);
      expect(typeof res.body.error).toBe('string');
      expect(res.body.error.length).toBeGreaterThan(10);
    }
    const truncated = gzipSync(Buffer.from(JSON.stringify(nativeBatch([])))).subarray(0, 12);
    const cut = await post(`${dev.url}/v1/tracewire`, truncated, {
      headers: { 'content-encoding': 'gzip' },
    });
    expect(cut.status).toBe(400);

    const unsupported = await post(`${dev.url}/v1/tracewire`, '{}', {
      headers: { 'content-encoding': 'br' },
    });
    expect(unsupported.status).toBe(415);

    const demo = demoCheckout();
    expect((await post(`${dev.url}/v1/tracewire`, nativeBatch(demo.parts))).status).toBe(200);
    expect(dev.store.get(demo.traceId)?.spans).toHaveLength(11);
  });

  it('skips unusable traces in a batch and reports how many', async () => {
    const dev = await start();
    const demo = demoCheckout();
    const res = await post(`${dev.url}/v1/tracewire`, {
      schemaVersion: 1,
      traces: [demo.parts[0], { id: 42 }, null],
      logs: [{ level: 'info', message: 'standalone', time: 1, serviceName: 'gateway' }, 7],
    });
    expect(res.body).toEqual({ accepted: { traces: 1, logs: 1 }, rejected: 3 });
    expect(dev.store.logs().map((l) => l.message)).toEqual(['standalone']);
  });

  it('refuses bodies over the size cap with 413, also when they only grow once gunzipped', async () => {
    const dev = await start({ maxBodyBytes: 64 * 1024 });
    const big = JSON.stringify({
      schemaVersion: 1,
      traces: [],
      logs: [],
      pad: 'x'.repeat(200_000),
    });
    const plain = await post(`${dev.url}/v1/tracewire`, big);
    expect(plain.status).toBe(413);
    expect(plain.body.error).toContain('64 KiB');

    const bomb = await post(`${dev.url}/v1/tracewire`, big, { gzip: true });
    expect(bomb.status).toBe(413);

    // Chunked, so the cap is found while reading rather than from Content-Length.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${dev.url}/v1/tracewire`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(10_000));
      req.end();
    });
    expect(chunked).toBe(413);

    const demo = demoCheckout();
    expect((await post(`${dev.url}/v1/tracewire`, nativeBatch([demo.parts[0]!]))).status).toBe(200);
  });

  it('refuses a 17 MiB body with the default 16 MiB cap', async () => {
    const dev = await start();
    const res = await post(`${dev.url}/v1/tracewire`, Buffer.alloc(17 * 1024 * 1024, 0x20));
    expect(res.status).toBe(413);
    expect(res.body.error).toContain('16 MiB');
    expect((await fetch(`${dev.url}/healthz`)).status).toBe(200);
  });

  it('answers unknown paths and methods without crashing', async () => {
    const dev = await start();
    expect((await post(`${dev.url}/v2/whatever`, {})).status).toBe(404);
    expect((await fetch(`${dev.url}/v1/traces`, { method: 'PUT', body: '{}' })).status).toBe(405);
    expect((await fetch(`${dev.url}/nope`)).status).toBe(404);
    expect((await fetch(`${dev.url}/api/traces/${'0'.repeat(32)}`)).status).toBe(404);
  });

  it('serves the viewer and its API only to loopback Host names', async () => {
    const dev = await start();
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${dev.url}/api/traces`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status(`127.0.0.1:${dev.port}`)).toBe(200);
    expect(await status(`localhost:${dev.port}`)).toBe(200);
    expect(await status('evil.example.com')).toBe(403);
  });
});

describe('browser requests', () => {
  /** A raw request, so Host, Origin and Sec-Fetch-Site can be anything a browser might send. */
  const send = (url: string, method: string, headers: Record<string, string>, body = '') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, { method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('refuses ingest from web pages on other origins, and takes requests without Origin', async () => {
    const written: string[] = [];
    const dev = await start({ write: (text) => written.push(text) });
    const own = `127.0.0.1:${dev.port}`;
    const body = JSON.stringify(nativeBatch([demoCheckout().parts[0]!]));
    const refused: Array<Record<string, string>> = [
      // A page elsewhere posting text/plain, which needs no preflight.
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'not a url' },
      // Another dev server on this machine: same site, other origin.
      { origin: 'http://localhost:5173', 'sec-fetch-site': 'same-site' },
      { origin: 'http://127.0.0.1:5173' },
      { 'sec-fetch-site': 'cross-site' },
      // DNS rebinding: the page's origin matches the Host it sends, which is not loopback.
      { origin: `http://rebind.example:${dev.port}`, host: `rebind.example:${dev.port}` },
      { origin: `https://${own}`, 'sec-fetch-site': 'same-origin' },
    ];
    for (const path of ['/v1/tracewire', '/v1/traces', '/v1/logs', '/']) {
      for (const headers of refused) {
        const res = await send(
          `${dev.url}${path}`,
          'POST',
          {
            'content-type': 'text/plain',
            ...headers,
          },
          body,
        );
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(JSON.parse(res.body).error).toContain('cross-origin requests are refused');
      }
    }
    expect(dev.store.size).toBe(0);
    expect(written.join('')).toContain(
      'refused a POST from a web page (Origin: https://evil.example)',
    );

    // A browser cannot clear the collector either.
    await post(`${dev.url}/v1/tracewire`, JSON.parse(body));
    const clear = await send(`${dev.url}/api/traces`, 'DELETE', {
      origin: 'http://127.0.0.1:5173',
    });
    expect(clear.status).toBe(403);
    expect(dev.store.size).toBe(1);

    // The viewer itself (same origin) and exporters (no Origin, any Host) get through.
    const viewer = await send(`${dev.url}/api/traces`, 'DELETE', {
      origin: `http://${own}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(viewer.status).toBe(204);
    expect(dev.store.size).toBe(0);
    const exporter = await send(
      `${dev.url}/v1/tracewire`,
      'POST',
      {
        'content-type': 'application/json',
        host: 'collector.internal:4318',
      },
      body,
    );
    expect(exporter.status).toBe(200);
    expect(dev.store.size).toBe(1);
  });
});

describe('api', () => {
  it('lists and filters traces by service, status and text', async () => {
    const dev = await start();
    const checkout = demoCheckout();
    const healthy = demoCheckout();
    await post(`${dev.url}/v1/tracewire`, nativeBatch([...checkout.parts, healthy.parts[3]!]));

    const get = async (query: string) => {
      const res = await fetch(`${dev.url}/api/traces${query}`);
      expect(res.status).toBe(200);
      return (await res.json()) as {
        traces: Array<{ id: string }>;
        services: string[];
        total: number;
        errors: number;
      };
    };
    const all = await get('');
    expect(all.total).toBe(2);
    expect(all.errors).toBe(1);
    expect(all.services).toEqual(['gateway', 'inventory', 'orders', 'payments']);
    expect((await get('?status=error')).traces.map((t) => t.id)).toEqual([checkout.traceId]);
    expect((await get('?status=ok')).traces.map((t) => t.id)).toEqual([healthy.traceId]);
    expect((await get('?service=payments')).traces.map((t) => t.id)).toEqual([checkout.traceId]);
    expect((await get('?q=card.charge')).traces.map((t) => t.id)).toEqual([checkout.traceId]);
    expect((await get('?q=%2Freserve')).total).toBe(2);
    expect((await get('?q=%2Freserve')).traces).toHaveLength(2);
    expect((await get(`?q=${healthy.traceId.slice(0, 12)}`)).traces.map((t) => t.id)).toEqual([
      healthy.traceId,
    ]);
    const one = await fetch(`${dev.url}/api/traces/${checkout.traceId.toUpperCase()}`);
    expect(((await one.json()) as { spans: unknown[] }).spans).toHaveLength(11);
  });

  it('lists user, session, tags and LLM totals, and filters by user, session and tag', async () => {
    const dev = await start();
    const traces = ['alice', 'bob', 'alice'].map((userId, i) => {
      const part = demoCheckout().parts[1]!;
      part.userId = userId;
      part.sessionId = i < 2 ? 'sess-1' : 'sess-2';
      part.tags = i === 0 ? ['checkout', 'beta'] : ['checkout'];
      return part;
    });
    await post(`${dev.url}/v1/tracewire`, nativeBatch(traces));
    const ids = async (query: string) => {
      const res = await fetch(`${dev.url}/api/traces${query}`);
      const body = (await res.json()) as { traces: Array<{ id: string }> };
      return body.traces.map((t) => t.id).sort();
    };
    const sorted = (...i: number[]) => i.map((n) => traces[n]!.id).sort();
    expect(await ids('?user=alice')).toEqual(sorted(0, 2));
    expect(await ids('?session=sess-1')).toEqual(sorted(0, 1));
    expect(await ids('?session=sess-1&user=alice')).toEqual(sorted(0));
    expect(await ids('?tag=beta')).toEqual(sorted(0));
    expect(await ids('?tag=checkout')).toEqual(sorted(0, 1, 2));
    expect(await ids('?q=sess-2')).toEqual(sorted(2));
    expect(await ids('?user=dave')).toEqual([]);

    // OTLP senders carry them too (as attributes), and the filters see them the same.
    const viaOtlp = demoCheckout().parts[3]!;
    Object.assign(viaOtlp, { userId: 'carol', sessionId: 'sess-3', tags: ['otlp'] });
    expect((await post(`${dev.url}/v1/traces`, toOtlpTraces([viaOtlp]))).status).toBe(200);
    expect(await ids('?user=carol&session=sess-3&tag=otlp')).toEqual([viaOtlp.id]);

    const summary = dev.store.list({ user: 'bob' })[0]!;
    expect(summary).toMatchObject({
      userId: 'bob',
      sessionId: 'sess-1',
      tags: ['checkout'],
      // The orders part holds one LLM span: 1,234 in, 56 out, $0.00042.
      llm: { calls: 1, inputTokens: 1234, outputTokens: 56, totalTokens: 1290, unpriced: 0 },
    });
    expect(summary.llm!.cost).toBeCloseTo(0.00042, 10);
  });

  it('streams a trace event to Server-Sent Events subscribers', async () => {
    const dev = await start();
    const controller = new AbortController();
    const res = await fetch(`${dev.url}/api/stream`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The stream is open once its first comment arrives; only then send.
    while (!text.includes(': connected')) text += decoder.decode((await reader.read()).value);

    const demo = demoCheckout();
    await post(`${dev.url}/v1/tracewire`, nativeBatch([demo.parts[0]!]));
    while (!text.includes('event: trace\n')) text += decoder.decode((await reader.read()).value);
    controller.abort();

    const frame = text.slice(text.indexOf('event: trace\n')).split('\n\n')[0]!;
    const data = JSON.parse(frame.split('\ndata: ')[1]!);
    expect(data).toMatchObject({ id: demo.traceId, name: 'POST /checkout', services: ['gateway'] });
  });

  it('clears the store on DELETE /api/traces', async () => {
    const dev = await start();
    await post(`${dev.url}/v1/tracewire`, nativeBatch(demoCheckout().parts));
    expect(dev.store.size).toBe(1);
    expect((await fetch(`${dev.url}/api/traces`, { method: 'DELETE' })).status).toBe(204);
    expect(dev.store.size).toBe(0);
  });
});

describe('--file persistence', () => {
  it('appends received batches and replays them, assembled, on the next start', async () => {
    const file = join(await tempDir(), 'traces.jsonl');
    const first = await start({ file });
    const demo = demoCheckout();
    await post(`${first.url}/v1/tracewire`, nativeBatch(demo.parts.slice(0, 2)));
    await post(`${first.url}/v1/traces`, toOtlpTraces(demo.parts.slice(2)));
    await post(
      `${first.url}/v1/logs`,
      toOtlpLogs([{ level: 'info', message: 'boot', time: 5, serviceName: 'orders' }]),
    );
    const before = first.store.get(demo.traceId)!;
    await first.close();

    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      schemaVersion: 1,
      traces: [{ id: demo.traceId }, { id: demo.traceId }],
      logs: [],
    });

    // A broken line (a crash mid-write) is skipped, not fatal.
    await writeFile(file, `${lines.join('\n')}\n{"traces": [\n`);
    let out = '';
    const second = await start({ file, write: (t) => (out += t) });
    const after = second.store.get(demo.traceId)!;
    expect(after.finished).toBe(true);
    expect(after.services).toEqual(before.services);
    expect(after.spans.map((s) => [s.spanId, s.parentId, s.serviceName])).toEqual(
      before.spans.map((s) => [s.spanId, s.parentId, s.serviceName]),
    );
    expect(second.store.logs().map((l) => l.message)).toEqual(['boot']);
    expect(out).toContain('skipped 1 unreadable line');
  });

  it('fails fast with a message when the file cannot be read', async () => {
    const dir = await tempDir();
    await expect(startDevServer({ port: 0, quiet: true, file: dir })).rejects.toThrow(
      /could not read --file/,
    );
  });
});
