import { afterEach, describe, expect, it } from 'vitest';
import { runWithCarrier } from '../../src/context/storage';
import { httpExporter } from '../../src/export/http-exporter';
import { postBatch } from '../../src/export/http-transport';
import { parseRetryAfter } from '../../src/export/internal/retry-after';
import { wireBatch } from '../../src/export/internal/wire';
import {
  ExportPipeline,
  type ExportPipelineOptions,
  type ExportProblem,
} from '../../src/export/pipeline';
import { VERSION } from '../../src/version';
import {
  type Collector,
  closedPortUrl,
  type ReceivedRequest,
  type Reply,
  startCollector,
} from './helpers/collector';
import { fakeLog, fakeTrace } from './helpers/fake-trace';

const collectors: Collector[] = [];
async function collector(
  reply?: (request: ReceivedRequest, index: number) => Reply,
): Promise<Collector> {
  const c = await startCollector(reply);
  collectors.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(collectors.splice(0).map((c) => c.close()));
});

function pipelineTo(
  exporter: ReturnType<typeof httpExporter>,
  options: Partial<ExportPipelineOptions> = {},
) {
  const problems: ExportProblem[] = [];
  const pipeline = new ExportPipeline({
    exporter,
    scheduledDelayMs: 60_000,
    retryInitialDelayMs: 1,
    retryMaxDelayMs: 20,
    onError: (p) => problems.push(p),
    ...options,
  });
  return { pipeline, problems };
}

function post(url: string, extra: Partial<Parameters<typeof postBatch>[0]> = {}) {
  return postBatch({
    url,
    body: '{"schemaVersion":1,"traces":[],"logs":[]}',
    contentType: 'application/json',
    signal: AbortSignal.timeout(5000),
    ...extra,
  });
}

describe('httpExporter against a real collector', () => {
  it('POSTs whole traces with their spans, standalone logs, resource and headers', async () => {
    const c = await collector();
    const exporter = httpExporter({
      url: c.url,
      headers: { 'X-Api-Key': 'k-123' },
      resource: { 'deployment.environment': 'test' },
    });
    const { pipeline } = pipelineTo(exporter);
    const traces = [fakeTrace({ spanCount: 3 }), fakeTrace({ spanCount: 1 })];
    for (const t of traces) pipeline.enqueueTrace(t);
    pipeline.enqueueLog(fakeLog('standalone'));
    await pipeline.flush();

    expect(c.requests).toHaveLength(1);
    const [request] = c.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/v1/traces');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-api-key']).toBe('k-123');
    expect(request!.headers.authorization).toBeUndefined();
    expect(request!.json).toEqual({
      schemaVersion: 1,
      sdk: { name: '@tracewire/core', version: VERSION },
      ...wireBatch(traces.map((t) => t.toJSON())),
      resource: { 'deployment.environment': 'test' },
      logs: [expect.objectContaining({ message: 'standalone' })],
    });
    expect(request!.json.traces[0]!.spans).toHaveLength(3);
  });

  it('gzips the body when asked, and the collector can decode it', async () => {
    const c = await collector();
    const { pipeline } = pipelineTo(httpExporter({ url: c.url, compression: 'gzip' }));
    const trace = fakeTrace({ spanCount: 50 });
    await pipeline.enqueueTrace(trace, { urgent: true });
    const [request] = c.requests;
    expect(request!.headers['content-encoding']).toBe('gzip');
    expect(request!.rawBody.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(request!.rawBody.length).toBeLessThan(Buffer.byteLength(request!.body));
    expect(request!.json.traces.map((t) => t.id)).toEqual([trace.id]);
  });

  it('retries past a 500 and delivers each trace exactly once', async () => {
    const c = await collector((_, i) =>
      i === 0 ? { status: 500, body: 'overloaded' } : { status: 200 },
    );
    const { pipeline, problems } = pipelineTo(httpExporter({ url: c.url }), { maxBatchTraces: 5 });
    const traces = Array.from({ length: 12 }, () => fakeTrace());
    const promises = traces.map((t) => pipeline.enqueueTrace(t));
    await pipeline.flush();
    await Promise.all(promises);
    expect(c.requests).toHaveLength(4);
    expect(c.acceptedTraceIds().sort()).toEqual(traces.map((t) => t.id).sort());
    expect(new Set(c.acceptedTraceIds()).size).toBe(12);
    expect(pipeline.stats()).toMatchObject({ tracesExported: 12, retries: 1 });
    expect(problems).toEqual([expect.objectContaining({ kind: 'http-status' })]);
    expect(problems[0]!.message).toContain('HTTP 500 (overloaded)');
  });

  it('honours 429 Retry-After (capped by retryMaxDelayMs) and then delivers', async () => {
    const c = await collector((_, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 },
    );
    const { pipeline, problems } = pipelineTo(httpExporter({ url: c.url }), {
      retryMaxDelayMs: 30,
    });
    const trace = fakeTrace();
    await pipeline.enqueueTrace(trace, { urgent: true });
    expect(c.requests).toHaveLength(2);
    expect(c.acceptedTraceIds()).toEqual([trace.id]);
    expect(problems[0]!.message).toContain('retry 1 of 5 in 30 ms');
  });

  it('drops a batch the collector rejects with 400, without retrying', async () => {
    const c = await collector(() => ({ status: 400, body: '{"error":"bad schema"}' }));
    const { pipeline, problems } = pipelineTo(httpExporter({ url: c.url }));
    await pipeline.enqueueTrace(fakeTrace(), { urgent: true });
    expect(c.requests).toHaveLength(1);
    expect(pipeline.stats().tracesDropped.rejected).toBe(1);
    expect(pipeline.stats().retries).toBe(0);
    expect(problems).toEqual([expect.objectContaining({ kind: 'rejected', dropped: 1 })]);
    expect(problems[0]!.message).toContain('bad schema');
  });

  it('retries a refused connection, then gives up and counts it', async () => {
    const url = await closedPortUrl();
    const { pipeline, problems } = pipelineTo(httpExporter({ url }), { maxRetries: 2 });
    const done = pipeline.enqueueTrace(fakeTrace(), { urgent: true });
    await expect(done).resolves.toBeUndefined();
    expect(pipeline.stats()).toMatchObject({ retries: 2, failedBatches: 1 });
    expect(pipeline.stats().tracesDropped['retries-exhausted']).toBe(1);
    expect(problems.map((p) => p.kind)).toEqual(['network', 'network', 'network']);
    expect(problems[0]!.message).toContain('ECONNREFUSED');
  });

  it('times out a collector that hangs, and retries on a fresh request', async () => {
    const c = await collector((_, i) => (i === 0 ? 'hang' : { status: 200 }));
    const { pipeline, problems } = pipelineTo(httpExporter({ url: c.url, timeoutMs: 500 }));
    const trace = fakeTrace();
    await pipeline.enqueueTrace(trace, { urgent: true });
    expect(c.requests).toHaveLength(2);
    expect(c.acceptedTraceIds()).toEqual([trace.id]);
    expect(problems).toEqual([expect.objectContaining({ kind: 'timeout' })]);
    expect(problems[0]!.message).toContain('timed out');
  });

  it('reports a failing getAuthToken, leaves the app alone, and delivers once it recovers', async () => {
    const c = await collector();
    let calls = 0;
    const exporter = httpExporter({
      url: c.url,
      getAuthToken: async () => {
        calls++;
        if (calls <= 2) throw new Error('vault unreachable');
        return 'tok-3';
      },
    });
    const { pipeline, problems } = pipelineTo(exporter);
    const trace = fakeTrace();
    await expect(pipeline.enqueueTrace(trace, { urgent: true })).resolves.toBeUndefined();
    expect(problems.map((p) => p.kind)).toEqual(['auth', 'auth']);
    expect(problems[0]!.message).toContain('getAuthToken() failed: vault unreachable');
    expect(c.requests).toHaveLength(1);
    expect(c.requests[0]!.headers.authorization).toBe('Bearer tok-3');
    expect(c.acceptedTraceIds()).toEqual([trace.id]);
  });

  it('drains every queued trace on shutdown', async () => {
    const c = await collector();
    const { pipeline } = pipelineTo(httpExporter({ url: c.url }), { maxBatchTraces: 64 });
    const traces = Array.from({ length: 500 }, () => fakeTrace());
    for (const t of traces) pipeline.enqueueTrace(t);
    await pipeline.shutdown(10_000);
    expect(c.acceptedTraceIds().sort()).toEqual(traces.map((t) => t.id).sort());
    // Whole batches of 64, merged while they wait for one of the requests in flight.
    expect(c.requests.length).toBeLessThanOrEqual(Math.ceil(500 / 64));
    for (const request of c.requests.slice(0, -1)) expect(request.json.traces.length % 64).toBe(0);
    expect(pipeline.stats().tracesExported).toBe(500);
  });

  it('exports outside the request context that enqueued the trace', async () => {
    const c = await collector();
    const { pipeline } = pipelineTo(httpExporter({ url: c.url }));
    const carrier = { isContextCarrier: true as const };
    await runWithCarrier(carrier, () => pipeline.enqueueTrace(fakeTrace(), { urgent: true }));
    expect(c.requests[0]!.headers.traceparent).toBeUndefined();
  });

  it.each([
    [{ url: 'not a url' }, /not an absolute URL/],
    [{ url: 'ftp://collector.example.com/' }, /http: or https:/],
    [{ url: 'https://user:pw@collector.example.com/' }, /credentials/],
    [{} as { url: string }, /`url` is required/],
    [{ url: 'http://127.0.0.1/', timeoutMs: 0 }, /timeoutMs/],
    [{ url: 'http://127.0.0.1/', headers: { 'x-a': 'a\nb' } }, /invalid name or value/],
    [{ url: 'http://127.0.0.1/', compression: 'brotli' as 'gzip' }, /compression/],
    [{ url: 'http://127.0.0.1/', getAuthToken: 'secret' as never }, /getAuthToken/],
  ])('rejects bad options %o at construction', (options, message) => {
    expect(() => httpExporter(options)).toThrow(message);
  });
});

describe('postBatch', () => {
  it.each([
    [200, true, false],
    [202, true, false],
    [408, false, true],
    [429, false, true],
    [500, false, true],
    [503, false, true],
    [400, false, false],
    [401, false, false],
    [404, false, false],
    [413, false, false],
  ])('classifies HTTP %i (ok %s, retryable %s)', async (status, ok, retryable) => {
    const c = await collector(() => ({ status }));
    const result = await post(c.url);
    expect(result.ok).toBe(ok);
    if (!result.ok) {
      expect(result.retryable).toBe(retryable);
      expect(result.error).toMatchObject({ kind: 'http-status', status });
    }
  });

  it('does not follow redirects and says where they pointed', async () => {
    const c = await collector(() => ({
      status: 301,
      headers: { location: 'https://elsewhere.example.com/v1/traces' },
    }));
    const result = await post(c.url);
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(c.requests).toHaveLength(1);
    if (!result.ok) expect(result.error.message).toContain('elsewhere.example.com');
  });

  it('parses Retry-After as seconds and as an HTTP date', async () => {
    const date = new Date(Date.now() + 120_000).toUTCString();
    const c = await collector((_, i) => ({
      status: 503,
      headers: { 'retry-after': i === 0 ? '7' : date },
    }));
    const seconds = await post(c.url);
    const dated = await post(c.url);
    expect(seconds).toMatchObject({ ok: false, retryable: true, retryAfterMs: 7000 });
    expect(dated.ok).toBe(false);
    if (!dated.ok) {
      expect(dated.retryAfterMs).toBeGreaterThan(100_000);
      expect(dated.retryAfterMs).toBeLessThanOrEqual(120_000);
    }
    expect(parseRetryAfter('garbage')).toBeUndefined();
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2015, 9, 21, 7, 27, 0))).toBe(
      60_000,
    );
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2016, 0, 1))).toBe(0);
  });

  it('reads response bodies so the connection is reused', async () => {
    // 40 KB is more than undici buffers on its own: an unread body would pin
    // its socket and force a new connection per request.
    const c = await collector((_, i) => ({
      status: i % 2 === 1 ? 500 : 200,
      body: 'x'.repeat(40_000),
    }));
    for (let i = 0; i < 6; i++) await post(c.url);
    expect(c.requests).toHaveLength(6);
    // undici opens a second socket on the second request whatever happens; no more after that.
    expect(c.connections()).toBeLessThanOrEqual(2);
  });

  it('tells a timeout from an abort, and a refused connection, and never throws', async () => {
    const hanging = await collector(() => 'hang');
    const timedOut = await post(hanging.url, { signal: AbortSignal.timeout(30) });
    expect(timedOut).toMatchObject({ ok: false, retryable: true, error: { kind: 'timeout' } });

    const controller = new AbortController();
    const pending = post(hanging.url, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const aborted = await pending;
    expect(aborted).toMatchObject({ ok: false, retryable: true, error: { kind: 'network' } });
    if (!aborted.ok) expect(aborted.error.message).toContain('aborted');

    const refused = await post(await closedPortUrl());
    expect(refused).toMatchObject({ ok: false, retryable: true, error: { kind: 'network' } });

    const invalid = await post('::not-a-url::');
    expect(invalid).toMatchObject({ ok: false, retryable: false });
  });

  it('keeps the query string out of error messages', async () => {
    const c = await collector(() => ({ status: 403 }));
    const result = await post(`${c.url}?api_key=secret-value`);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).not.toContain('secret-value');
      expect(result.error.message).toContain('check the auth token');
    }
  });

  it('gzips a Uint8Array body the same on every retry', async () => {
    const c = await collector();
    const body = Buffer.from(JSON.stringify({ schemaVersion: 1, traces: [], logs: [] }));
    await post(c.url, { body, compression: 'gzip' });
    await post(c.url, { body, compression: 'gzip' });
    expect(c.requests.map((r) => r.json.schemaVersion)).toEqual([1, 1]);
    expect(c.requests[0]!.rawBody.equals(c.requests[1]!.rawBody)).toBe(true);
  });
});
