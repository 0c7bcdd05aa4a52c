import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createTracer,
  currentSpan,
  type Exporter,
  httpExporter,
  inject,
  type Tracer,
} from '@tracewire/core';
import { endWithNodeResponse, httpServerTracing, nodeRequestInfo } from '@tracewire/core/http';
import { afterEach, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../src/index';

/** Core's own HTTP exporter, gzipped: the compact native wire format, end to end. */
function devExporter(url: string): Exporter {
  return httpExporter({ url, compression: 'gzip' });
}

interface Service {
  url: string;
  tracer: Tracer;
  close(): Promise<void>;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function service(
  name: string,
  dev: DevServer,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<Service> {
  const tracer = createTracer({
    serviceName: name,
    exporter: devExporter(`${dev.url}/v1/tracewire`),
  });
  const http = httpServerTracing({ tracer });
  const server = createServer((req, res) => {
    const request = http.start(nodeRequestInfo(req));
    let error: unknown;
    endWithNodeResponse(request, res, () => ({ route: req.url ?? '/', error }));
    request.run(async () => {
      try {
        await handler(req, res);
      } catch (err) {
        error = err;
        res.statusCode = 500;
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const svc: Service = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tracer,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tracer.shutdown();
    },
  };
  cleanup.push(svc.close);
  return svc;
}

async function call(url: string): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: inject({}) });
  await res.arrayBuffer();
  return res.status;
}

it('assembles one trace from three real services instrumented with @tracewire/core', async () => {
  const dev = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
  cleanup.push(() => dev.close());

  const payments = await service('payments', dev, async (_req, res) => {
    currentSpan()?.setError(new Error('card declined'));
    res.statusCode = 402;
    res.end();
  });
  const orders = await service('orders', dev, async (_req, res) => {
    res.statusCode = (await call(`${payments.url}/charge`)) === 402 ? 409 : 200;
    res.end();
  });
  const gateway = await service('gateway', dev, async (_req, res) => {
    res.statusCode = await call(`${orders.url}/orders`);
    res.end();
  });

  expect(await call(`${gateway.url}/checkout`)).toBe(409);
  // Each service exports on its own schedule; flushing them in caller-first order
  // means the gateway's part, holding the true root, is not the last to arrive.
  for (const svc of [gateway, payments, orders]) await svc.tracer.flush();

  const trace = await dev.store.waitFor((t) => t.services.length === 3);
  expect(trace.services).toEqual(['gateway', 'orders', 'payments']);
  expect(trace.partCount).toBe(3);
  const root = trace.spans[0]!;
  expect(root).toMatchObject({ kind: 'server', serviceName: 'gateway' });
  expect(trace.rootSpanId).toBe(root.spanId);
  expect(trace.serviceName).toBe('gateway');

  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  for (const span of trace.spans.slice(1)) expect(byId.has(span.parentId!)).toBe(true);
  // Each downstream service's server span hangs under a span of its caller.
  const serverOf = (name: string) =>
    trace.spans.find((s) => s.serviceName === name && s.kind === 'server')!;
  expect(byId.get(serverOf('orders').parentId!)?.serviceName).toBe('gateway');
  expect(byId.get(serverOf('payments').parentId!)?.serviceName).toBe('orders');
  expect(trace.status).toBe('error');
  expect(serverOf('payments').status).toBe('error');
  // Derived by the collector from the compact wire form: names, times, durations.
  expect(trace.name).toBe(root.name);
  expect(trace.startTime).toBe(root.startTime);
  for (const span of trace.spans) expect(span.durationMs).toBe(span.endTime - span.startTime);
});
