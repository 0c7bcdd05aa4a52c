import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { currentSpan, currentTrace, span } from '../../src/context/current';
import { memoryExporter } from '../../src/export/memory-exporter';
import { endWithNodeResponse, nodeRequestInfo } from '../../src/http/node';
import { httpServerTracing, type ServerRequest } from '../../src/http/server-tracing';
import { formatTraceparent, parseTraceparent } from '../../src/propagation/traceparent';
import { createTracer, type Tracer, type TracerOptions } from '../../src/tracer';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

const servers: Array<{ close(): void }> = [];
const tracers: Tracer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) server.close();
  await Promise.all(tracers.splice(0).map((t) => t.shutdown()));
});

interface Seen {
  request: ServerRequest;
  closeListeners: { before: number; after: number };
  inside: Record<string, unknown>;
}

/**
 * A node:http server traced through core's lifecycle, the way every Node
 * adapter wires it; `seen` records, per request, what the handler observed.
 */
async function serve(options: Partial<TracerOptions>, ignore?: string[]) {
  const exporter = memoryExporter();
  const tracer = createTracer({
    serviceName: 'unsampled',
    exporter,
    batch: { scheduledDelayMs: 5 },
    ...options,
  });
  tracers.push(tracer);
  const http = httpServerTracing({ tracer, ignore });
  const seen: Seen[] = [];
  const server = createServer((req, res: ServerResponse) => {
    const request = http.start(nodeRequestInfo(req));
    const before = res.listenerCount('close');
    endWithNodeResponse(request, res, () => ({ route: '/work' }));
    const closeListeners = { before, after: res.listenerCount('close') };
    request.run(async () => {
      const inside: Record<string, unknown> = {};
      await span('child', async (s) => {
        s.setAttribute('k', 'v').setAttributes({ a: 1 }).addEvent('e').addSignal('score', 1);
        s.setIO({ prompt: 'x' }, 'y');
        s.log.info('inside the child');
        currentTrace()?.log.warn('on the trace');
        tracer.log.error('through the tracer');
        inside.childIsCurrent = currentSpan() === s;
        inside.childRecording = s.isRecording;
        inside.childId = s.id;
        inside.childParent = s.parentId;
        inside.childHeaders = s.headers();
        await new Promise((resolve) => setTimeout(resolve, 1));
      });
      inside.traceId = currentTrace()?.id;
      inside.spanId = currentSpan()?.id;
      seen.push({ request, closeListeners, inside });
      res.end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const get = (headers: Record<string, string> = {}, path = '/work') =>
    new Promise<{ status: number; traceresponse: string | undefined }>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            traceresponse: res.headers.traceresponse as string | undefined,
          }),
        );
      })
        .on('error', reject)
        .end();
    });
  return { tracer, exporter, seen, get };
}

describe('an unsampled request', () => {
  it('continues an inbound unsampled traceparent, answers with flag 00 and exports nothing', async () => {
    const { tracer, exporter, seen, get } = await serve({});
    const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-00`;
    const res = await get({ traceparent });
    expect(res.status).toBe(200);
    const answered = parseTraceparent(res.traceresponse!);
    expect(answered).toMatchObject({ traceId: CALLER_TRACE, sampled: false });
    expect(answered!.spanId).not.toBe(CALLER_SPAN);

    const [{ request, inside }] = seen as [Seen];
    expect(request.isRecording).toBe(false);
    expect(request.trace!.sampled).toBe(false);
    expect(inside.traceId).toBe(CALLER_TRACE);
    expect(inside.spanId).toBe(answered!.spanId);
    // The child is current inside span(), has its own id under the server span, and records nothing.
    expect(inside.childIsCurrent).toBe(true);
    expect(inside.childRecording).toBe(false);
    expect(inside.childId).toMatch(/^[0-9a-f]{16}$/);
    expect([CALLER_SPAN, answered!.spanId]).not.toContain(inside.childId);
    expect(inside.childParent).toBe(answered!.spanId);
    // What it would send onward names the child, with the caller's trace and flag 00.
    expect(inside.childHeaders).toEqual({
      traceparent: formatTraceparent({
        traceId: CALLER_TRACE,
        spanId: inside.childId as string,
        sampled: false,
        random: false,
      }),
    });

    await new Promise((resolve) => setTimeout(resolve, 30));
    await tracer.flush();
    expect(exporter.traces()).toHaveLength(0);
    expect(exporter.logs()).toHaveLength(0);
    expect(tracer.stats()).toMatchObject({ tracesStarted: 1, tracesUnsampled: 1 });
  });

  it('adds no close listener and has nothing to wait for; a sampled one does', async () => {
    const { seen, get } = await serve({});
    await get({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-00` });
    await get({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
    const [unsampled, sampled] = seen as [Seen, Seen];
    expect(unsampled.closeListeners.after).toBe(unsampled.closeListeners.before);
    expect(sampled.closeListeners.after).toBe(sampled.closeListeners.before + 1);
    // Resolves at once: nothing will be delivered.
    await expect(unsampled.request.whenDelivered(true)).resolves.toBeUndefined();
    expect(sampled.request.isRecording).toBe(true);
    await sampled.request.whenDelivered();
    expect(sampled.request.isEnded).toBe(true);
  });

  it('starts fresh under a refusing sampler: a new trace id, flags 02 (random, unsampled)', async () => {
    const { exporter, tracer, seen, get } = await serve({ sampler: 'never' });
    const res = await get();
    expect(res.traceresponse).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-02$/);
    expect(seen[0]!.inside.traceId).toBe(res.traceresponse!.split('-')[1]);
    await tracer.flush();
    expect(exporter.traces()).toHaveLength(0);
  });

  it('sends no traceresponse for an ignored request, and adds no listener', async () => {
    const { seen, get } = await serve({}, ['/health']);
    const res = await get({}, '/health');
    expect(res.status).toBe(200);
    expect(res.traceresponse).toBeUndefined();
    expect(seen[0]!.request.isRecording).toBe(false);
    expect(seen[0]!.closeListeners.after).toBe(seen[0]!.closeListeners.before);
  });

  it('at ratio 0.1: exactly the traces whose traceresponse says sampled are exported', async () => {
    const { exporter, tracer, get } = await serve({ sampler: 0.1 });
    const answers: string[] = [];
    for (let i = 0; i < 200; i++) answers.push((await get()).traceresponse!);
    const sampledIds = answers
      .map((header) => parseTraceparent(header)!)
      .filter((context) => context.sampled)
      .map((context) => context.traceId)
      .sort();
    expect(answers.every((header) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[23]$/.test(header))).toBe(
      true,
    );
    const deadline = Date.now() + 5000;
    while (exporter.traces().length < sampledIds.length && Date.now() < deadline) {
      await tracer.flush();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(
      exporter
        .traces()
        .map((t) => t.id)
        .sort(),
    ).toEqual(sampledIds);
    expect(sampledIds.length).toBeGreaterThan(0);
    expect(sampledIds.length).toBeLessThan(200);
    expect(tracer.stats().tracesUnsampled).toBe(200 - sampledIds.length);
  });

  it('a tail policy still applies to the sampled ones', async () => {
    const { exporter, tracer, get } = await serve({
      tail: { keepErrors: true, ratio: 0 },
    });
    await get({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await tracer.flush();
    expect(exporter.traces()).toHaveLength(0);
    expect(tracer.stats()).toMatchObject({ tracesUnsampled: 0, tracesDroppedByTail: 1 });
  });
});
