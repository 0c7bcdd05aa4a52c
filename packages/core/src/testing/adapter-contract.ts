import { Agent, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../export/memory-exporter';
import type { HttpTracingOptions } from '../http/server-tracing';
import { formatTraceparent } from '../propagation/traceparent';
import { createTracer, type Tracer } from '../tracer';
import type { SpanData, TraceData } from '../types';
import {
  type ContractApp,
  contractHandlers,
  type MakeContractApp,
  send,
  settle,
  waitForTraces,
} from './harness';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

function root(trace: TraceData): SpanData {
  return trace.spans[0]!;
}

function byPath(path: string) {
  return (trace: TraceData) => root(trace).attributes['url.path'] === path;
}

/**
 * The behaviour every tracewire adapter must have, run against a real server of
 * the adapter's framework: route naming, continuation, invalid headers, status
 * mapping, thrown errors, aborts, streams, redaction and isolation under
 * concurrency. An adapter's test file calls it with a factory for its app.
 *
 * @example
 * runAdapterContract('express 5', async ({ tracer, options }) => {
 *   const app = express();
 *   app.use(tracing({ tracer, ...options }));
 *   // ...the contract routes (see ContractApp)...
 *   return listen(app);
 * });
 */
export function runAdapterContract(name: string, makeApp: MakeContractApp): void {
  describe(`tracewire adapter contract: ${name}`, () => {
    const exporter = memoryExporter();
    let tracer: Tracer;
    let app: ContractApp;
    let ignoringApp: ContractApp;
    let untrustingApp: ContractApp;
    let ignoringTracer: Tracer;
    let untrustingTracer: Tracer;
    const sideExporter = memoryExporter();

    const start = (options: HttpTracingOptions, t: Tracer) =>
      makeApp({ tracer: t, options: { tracer: t, ...options } });

    beforeAll(async () => {
      tracer = createTracer({ serviceName: 'contract', exporter, batch: { scheduledDelayMs: 5 } });
      ignoringTracer = createTracer({
        serviceName: 'contract-ignore',
        exporter: sideExporter,
        batch: { scheduledDelayMs: 5 },
      });
      untrustingTracer = createTracer({
        serviceName: 'contract-edge',
        exporter: sideExporter,
        batch: { scheduledDelayMs: 5 },
      });
      app = await start({}, tracer);
      ignoringApp = await start({ ignore: ['/health', /^\/status\//] }, ignoringTracer);
      untrustingApp = await start({ trustInbound: false }, untrustingTracer);
    });

    afterAll(async () => {
      await Promise.all([app?.close(), ignoringApp?.close(), untrustingApp?.close()]);
      await Promise.all([
        tracer?.shutdown(),
        ignoringTracer?.shutdown(),
        untrustingTracer?.shutdown(),
      ]);
    });

    beforeEach(() => {
      exporter.reset();
      sideExporter.reset();
    });

    it('names the trace by route template, never the raw path', async () => {
      const res = await send(`${app.url}/users/42`);
      expect(res.status).toBe(200);
      const [trace] = await waitForTraces(tracer, exporter, byPath('/users/42'));
      expect(trace!.name).toBe('GET /users/:id');
      const server = root(trace!);
      expect(server.kind).toBe('server');
      expect(server.name).toBe('GET /users/:id');
      expect(server.attributes['http.route']).toBe('/users/:id');
      expect(server.attributes['http.request.method']).toBe('GET');
      expect(server.attributes['http.response.status_code']).toBe(200);
      expect(server.attributes['url.scheme']).toBe('http');
      expect(server.attributes['server.address']).toBe('127.0.0.1');
      expect(server.status).not.toBe('error');
      const lookup = trace!.spans.find((s) => s.name === 'db.lookup');
      expect(lookup?.parentId).toBe(server.spanId);
      expect(lookup?.attributes['user.id']).toBe('42');
      expect(lookup!.endTime).toBeLessThanOrEqual(server.endTime);
    });

    it('names an unmatched request by its method alone', async () => {
      const res = await send(`${app.url}/no/such/route/123`);
      expect(res.status).toBe(404);
      const [trace] = await waitForTraces(tracer, exporter, byPath('/no/such/route/123'));
      expect(trace!.name).toBe('GET');
      expect(root(trace!).attributes['http.route']).toBeUndefined();
      expect(root(trace!).attributes['http.response.status_code']).toBe(404);
      expect(trace!.status).not.toBe('error');
    });

    it('returns the trace id in a traceresponse header', async () => {
      const res = await send(`${app.url}/users/7`);
      const header = String(res.headers.traceresponse);
      expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$/);
      const [trace] = await waitForTraces(tracer, exporter, byPath('/users/7'));
      expect(header.split('-')[1]).toBe(trace!.id);
      expect(header.split('-')[2]).toBe(trace!.rootSpanId);
      expect(JSON.parse(res.body).traceId).toBe(trace!.id);
    });

    it('continues an inbound traceparent', async () => {
      const traceparent = formatTraceparent({
        traceId: CALLER_TRACE,
        spanId: CALLER_SPAN,
        sampled: true,
        random: false,
      });
      await send(`${app.url}/users/1`, { headers: { traceparent, tracestate: 'vendor=abc' } });
      const [trace] = await waitForTraces(tracer, exporter, byPath('/users/1'));
      expect(trace!.id).toBe(CALLER_TRACE);
      expect(trace!.parentSpanId).toBe(CALLER_SPAN);
      expect(root(trace!).parentId).toBe(CALLER_SPAN);
      expect(root(trace!).spanId).not.toBe(CALLER_SPAN);
    });

    it('honours an unsampled inbound flag: nothing recorded, context still answered', async () => {
      const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-00`;
      const res = await send(`${app.url}/users/2`, { headers: { traceparent } });
      expect(res.status).toBe(200);
      expect(String(res.headers.traceresponse)).toBe(
        `00-${CALLER_TRACE}-${String(res.headers.traceresponse).split('-')[2]}-00`,
      );
      await send(`${app.url}/users/3`);
      await waitForTraces(tracer, exporter, byPath('/users/3'));
      expect(exporter.traces().filter((t) => t.id === CALLER_TRACE)).toHaveLength(0);
    });

    it.each([
      ['garbage', 'not-a-traceparent'],
      ['version ff', `ff-${CALLER_TRACE}-${CALLER_SPAN}-01`],
      ['all-zero trace id', `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`],
      ['uppercase', `00-${CALLER_TRACE.toUpperCase()}-${CALLER_SPAN}-01`],
      ['oversized', `00-${CALLER_TRACE}-${CALLER_SPAN}-01${'x'.repeat(8000)}`],
      [
        'two headers',
        [`00-${CALLER_TRACE}-${CALLER_SPAN}-01`, `00-${CALLER_TRACE}-${CALLER_SPAN}-01`],
      ],
    ])('starts a fresh trace for an invalid traceparent (%s)', async (label, traceparent) => {
      const path = `/users/${label.length}`;
      const res = await send(`${app.url}${path}`, { headers: { traceparent } });
      expect(res.status).toBe(200);
      const [trace] = await waitForTraces(tracer, exporter, byPath(path));
      expect(trace!.id).not.toBe(CALLER_TRACE);
      expect(trace!.id).toMatch(/^[0-9a-f]{32}$/);
      expect(root(trace!).parentId).toBeNull();
    });

    it('starts fresh and links the caller when inbound context is not trusted', async () => {
      const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
      await send(`${untrustingApp.url}/users/5`, { headers: { traceparent } });
      const [trace] = await waitForTraces(untrustingTracer, sideExporter, byPath('/users/5'));
      expect(trace!.id).not.toBe(CALLER_TRACE);
      expect(root(trace!).parentId).toBeNull();
      expect(root(trace!).links).toEqual([{ traceId: CALLER_TRACE, spanId: CALLER_SPAN }]);
    });

    it('maps statuses: 4xx is not an error, 5xx is', async () => {
      await send(`${app.url}/status/404`);
      await send(`${app.url}/status/422`);
      await send(`${app.url}/status/503`);
      const [notFound] = await waitForTraces(tracer, exporter, byPath('/status/404'));
      const [invalid] = await waitForTraces(tracer, exporter, byPath('/status/422'));
      const [unavailable] = await waitForTraces(tracer, exporter, byPath('/status/503'));
      expect(notFound!.name).toBe('GET /status/:code');
      expect(notFound!.status).not.toBe('error');
      expect(invalid!.status).not.toBe('error');
      expect(unavailable!.status).toBe('error');
      expect(root(unavailable!).attributes['http.response.status_code']).toBe(503);
    });

    it.each([
      ['/fail', 'boom'],
      ['/async-fail', 'async boom'],
    ])('records a thrown error with its stack (%s)', async (path, message) => {
      const res = await send(`${app.url}${path}`);
      expect(res.status).toBe(500);
      const [trace] = await waitForTraces(tracer, exporter, byPath(path));
      const server = root(trace!);
      expect(trace!.status).toBe('error');
      expect(server.attributes['http.response.status_code']).toBe(500);
      expect(server.error?.message).toBe(message);
      expect(server.error?.stack).toContain(message);
      expect(trace!.name).toBe(`GET ${path}`);
    });

    it('ends an aborted request once, as aborted', async () => {
      await send(`${app.url}/slow`, { abortAfterMs: 100 });
      const [trace] = await waitForTraces(tracer, exporter, byPath('/slow'));
      expect(trace!.status).toBe('aborted');
      expect(trace!.name).toBe('GET /slow');
      expect(await settle(tracer, exporter, trace!.id, 1700)).toHaveLength(1);
    });

    it('ends a streamed response when the stream ends', async () => {
      const res = await send(`${app.url}/stream`);
      expect(res.body).toBe('one\ntwo\nthree\n');
      const [trace] = await waitForTraces(tracer, exporter, byPath('/stream'));
      expect(trace!.name).toBe('GET /stream');
      expect(trace!.durationMs).toBeGreaterThanOrEqual(15);
      expect(await settle(tracer, exporter, trace!.id)).toHaveLength(1);
    });

    it('ends a server-sent event stream exactly once', async () => {
      const res = await send(`${app.url}/sse`);
      expect(res.body.match(/^data:/gm)).toHaveLength(3);
      const [trace] = await waitForTraces(tracer, exporter, byPath('/sse'));
      expect(trace!.name).toBe('GET /sse');
      expect(trace!.status).not.toBe('error');
      expect(await settle(tracer, exporter, trace!.id)).toHaveLength(1);
    });

    it('ends each request on a keep-alive connection exactly once', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < 5; i++) await send(`${app.url}/users/${100 + i}`, { agent });
      } finally {
        agent.destroy();
      }
      const traces = await waitForTraces(
        tracer,
        exporter,
        (t) => String(root(t).attributes['url.path']).startsWith('/users/10'),
        5,
      );
      await settle(tracer, exporter, traces[0]!.id);
      const ids = exporter.traces().map((t) => t.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(5);
    });

    it('skips ignored requests but still serves them', async () => {
      const health = await send(`${ignoringApp.url}/health`);
      const status = await send(`${ignoringApp.url}/status/204`);
      expect(health.status).toBe(200);
      expect(status.status).toBe(204);
      expect(health.headers.traceresponse).toBeUndefined();
      await send(`${ignoringApp.url}/users/9`);
      await waitForTraces(ignoringTracer, sideExporter, byPath('/users/9'));
      expect(sideExporter.traces().map((t) => root(t).attributes['url.path'])).toEqual([
        '/users/9',
      ]);
    });

    it('redacts sensitive query parameters and never records secret headers', async () => {
      await send(`${app.url}/echo?q=shoes&token=abc123&api_key=k&page=2`, {
        headers: {
          authorization: 'Bearer secret-value',
          cookie: 'sid=secret-value',
          'x-api-key': 'secret-value',
          'content-type': 'application/json',
          'x-request-id': 'req-1',
        },
      });
      const [trace] = await waitForTraces(tracer, exporter, byPath('/echo'));
      const attrs = root(trace!).attributes;
      expect(attrs['url.query']).toBe('q=shoes&token=[REDACTED]&api_key=[REDACTED]&page=2');
      expect(attrs['http.request.header.content-type']).toEqual(['application/json']);
      expect(attrs['http.request.header.x-request-id']).toEqual(['req-1']);
      const everything = JSON.stringify(trace);
      expect(everything).not.toContain('secret-value');
      expect(everything).not.toContain('abc123');
    });

    it('keeps the implicit context through awaits in a handler', async () => {
      const res = await send(`${app.url}/context`);
      const body = JSON.parse(res.body) as { traceId: string | null };
      const [trace] = await waitForTraces(tracer, exporter, byPath('/context'));
      expect(body.traceId).toBe(trace!.id);
    });

    it('isolates 1,000 concurrent requests: every span lands in its own trace', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 64 });
      try {
        const responses = await Promise.all(
          Array.from({ length: 1000 }, (_, i) => send(`${app.url}/users/${5000 + i}`, { agent })),
        );
        expect(responses.every((r) => r.status === 200)).toBe(true);
      } finally {
        agent.destroy();
      }
      const traces = await waitForTraces(
        tracer,
        exporter,
        (t) => t.name === 'GET /users/:id',
        1000,
        20_000,
      );
      expect(new Set(traces.map((t) => t.id)).size).toBe(1000);
      for (const trace of traces) {
        const id = String(root(trace).attributes['url.path']).slice('/users/'.length);
        const children = trace.spans.slice(1);
        expect(children).toHaveLength(1);
        expect(children[0]!.attributes['user.id']).toBe(id);
        expect(children[0]!.traceId).toBe(trace.id);
        expect(children[0]!.parentId).toBe(trace.rootSpanId);
      }
    });
  });

  describe(`tracewire adapter contract: ${name}: policy that lives in core`, () => {
    const exporter = memoryExporter();
    const tracers: Tracer[] = [];
    const apps: ContractApp[] = [];
    const seen: IncomingHttpHeaders[] = [];
    let downstream: Server;

    const tracerFor = (
      serviceName: string,
      outgoing?: { propagateTo: string[] },
      sampler?: 'never',
    ) => {
      const created = createTracer({
        serviceName,
        exporter,
        batch: { scheduledDelayMs: 5 },
        outgoing,
        sampler,
      });
      tracers.push(created);
      return created;
    };
    const appFor = async (
      t: Tracer,
      options: HttpTracingOptions = {},
      installs = 1,
    ): Promise<ContractApp> => {
      const made = await makeApp({ tracer: t, options: { tracer: t, ...options }, installs });
      apps.push(made);
      return made;
    };

    beforeAll(async () => {
      downstream = createServer((req, res) => {
        seen.push(req.headers);
        res.end('ok');
      });
      await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
      contractHandlers.downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await Promise.all(apps.map((a) => a.close()));
      await Promise.all(tracers.map((t) => t.shutdown()));
      await new Promise((resolve) => downstream?.close(resolve));
    });

    beforeEach(() => {
      exporter.reset();
      seen.length = 0;
    });

    it('traces a request once when tracing is installed twice', async () => {
      const t = tracerFor('contract-twice');
      const app = await appFor(t, {}, 2);
      const res = await send(`${app.url}/users/11`);
      expect(res.status).toBe(200);
      const header = String(res.headers.traceresponse);
      expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$/);
      const [trace] = await waitForTraces(t, exporter, byPath('/users/11'));
      expect(await settle(t, exporter, trace!.id, 150)).toHaveLength(1);
      expect(exporter.traces()).toHaveLength(1);
      expect(trace!.name).toBe('GET /users/:id');
      expect(header.split('-')[1]).toBe(trace!.id);
      const lookup = trace!.spans.find((s) => s.name === 'db.lookup');
      expect(lookup?.parentId).toBe(root(trace!).spanId);
      expect(JSON.parse(res.body).traceId).toBe(trace!.id);
    });

    it('serves the request untraced when tracing throws as it opens the trace', async () => {
      const t = tracerFor('contract-throws-open');
      const app = await appFor(t, {
        ignore: () => {
          throw new Error('a broken ignore predicate');
        },
      });
      const res = await send(`${app.url}/users/12`);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ id: '12' });
      expect(res.headers.traceresponse).toBeUndefined();
      const failed = await send(`${app.url}/fail`);
      expect(failed.status).toBe(500);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await t.flush();
      expect(exporter.traces()).toHaveLength(0);
    });

    it('ends the trace exactly once when tracing throws as it ends the trace', async () => {
      const t = tracerFor('contract-throws-end');
      const app = await appFor(t, {
        name: () => {
          throw new Error('a broken name callback');
        },
        attributes: () => {
          throw new Error('a broken attributes callback');
        },
      });
      const res = await send(`${app.url}/users/13`);
      expect(res.status).toBe(200);
      const [trace] = await waitForTraces(t, exporter, byPath('/users/13'));
      expect(trace!.status).not.toBe('error');
      expect(await settle(t, exporter, trace!.id, 150)).toHaveLength(1);
    });

    it('keeps the context of an unsampled request: ids and flag 00 go downstream and back, nothing is exported', async () => {
      const t = tracerFor('contract-unsampled', undefined, 'never');
      const app = await appFor(t);
      const flagsOf = (header: unknown) => String(header).split('-')[3];
      const idsOf = (header: unknown) => String(header).split('-').slice(1, 3);

      // Continued: the caller's trace id, a span id of our own, the unsampled flag.
      const inbound = `00-${CALLER_TRACE}-${CALLER_SPAN}-00`;
      const continued = await send(`${app.url}/call`, { headers: { traceparent: inbound } });
      expect(continued.status).toBe(200);
      const [traceId, serverSpan] = idsOf(continued.headers.traceresponse);
      expect(traceId).toBe(CALLER_TRACE);
      expect(serverSpan).toMatch(/^[0-9a-f]{16}$/);
      expect(serverSpan).not.toBe(CALLER_SPAN);
      expect(flagsOf(continued.headers.traceresponse)).toBe('00');
      expect(JSON.parse(continued.body).traceId).toBe(CALLER_TRACE);
      expect(seen).toHaveLength(1);
      const [outTrace, outSpan] = idsOf(seen[0]!.traceparent);
      expect(outTrace).toBe(CALLER_TRACE);
      expect(flagsOf(seen[0]!.traceparent)).toBe('00');
      expect([CALLER_SPAN, serverSpan]).not.toContain(outSpan);

      // Fresh: a new trace id, flag 00 plus the W3C random bit (02), forwarded the same.
      const fresh = await send(`${app.url}/call`);
      expect(fresh.status).toBe(200);
      const [freshTrace] = idsOf(fresh.headers.traceresponse);
      expect(freshTrace).toMatch(/^[0-9a-f]{32}$/);
      expect(freshTrace).not.toBe(CALLER_TRACE);
      expect(flagsOf(fresh.headers.traceresponse)).toBe('02');
      expect(JSON.parse(fresh.body).traceId).toBe(freshTrace);
      expect(String(seen[1]!.traceparent)).toMatch(
        new RegExp(`^00-${freshTrace}-[0-9a-f]{16}-02$`),
      );

      // span(), attributes and logs inside it do nothing, and the context still answers.
      const user = await send(`${app.url}/users/21`);
      expect(user.status).toBe(200);
      expect(JSON.parse(user.body)).toEqual({
        id: '21',
        traceId: idsOf(user.headers.traceresponse)[0],
      });
      const context = await send(`${app.url}/context`);
      expect(JSON.parse(context.body)).toEqual({
        traceId: idsOf(context.headers.traceresponse)[0],
        spanId: idsOf(context.headers.traceresponse)[1],
      });
      const failed = await send(`${app.url}/fail`);
      expect(failed.status).toBe(500);
      expect(String(failed.headers.traceresponse)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-02$/);

      await new Promise((resolve) => setTimeout(resolve, 100));
      await t.flush();
      expect(exporter.traces()).toHaveLength(0);
      expect(t.stats()).toMatchObject({ tracesStarted: 5, tracesUnsampled: 5, tracesExported: 0 });
    });

    it("keeps each tracer's outgoing allow-list: two tracers in one process", async () => {
      const blocking = tracerFor('contract-blocking', { propagateTo: ['example.invalid'] });
      // Created after the blocking one, with defaults: it must not widen the other's list.
      const open = tracerFor('contract-open');
      const blockingApp = await appFor(blocking);
      const openApp = await appFor(open);
      const first = await send(`${blockingApp.url}/call`);
      const second = await send(`${openApp.url}/call`);
      const third = await send(`${blockingApp.url}/call`);
      expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
      expect(seen.map((h) => h.traceparent === undefined)).toEqual([true, false, true]);
      const openTraceId = JSON.parse(second.body).traceId as string;
      expect(String(seen[1]!.traceparent).split('-')[1]).toBe(openTraceId);
      const blocked = await waitForTraces(
        blocking,
        exporter,
        (t) => byPath('/call')(t) && t.id !== openTraceId,
        2,
      );
      const opened = await waitForTraces(open, exporter, (t) => t.id === openTraceId);
      for (const trace of [...blocked, ...opened]) {
        expect(trace.spans.filter((s) => s.kind === 'client')).toHaveLength(1);
      }
    });
  });
}
