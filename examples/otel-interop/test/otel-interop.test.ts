import { randomBytes } from 'node:crypto';
import type { SpanData, TraceData } from '@tracewire/core';
import { type AssembledTrace, type DevServer, startDevServer } from '@tracewire/devtools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleTracewireService,
  OTEL_KIND,
  type ReportedSpan,
  type ServiceProcess,
  startOtelService,
  startTracewireService,
} from './support/services';

/**
 * storefront (OpenTelemetry) -> orders (tracewire + Express) -> inventory (OpenTelemetry),
 * each its own process on 127.0.0.1, all exporting to one `tracewire dev`:
 * storefront and inventory as OTLP/JSON to /v1/traces, orders natively to /v1/tracewire.
 */

/** What every service answers: the trace headers it received, and its downstream's answer. */
interface Hop {
  service: string;
  received: { traceparent: string | null; tracestate: string | null };
  downstream?: Hop;
}

const TRACESTATE = 'vendor=abc,other=1';

let dev: DevServer;
let storefront: ServiceProcess;
let orders: ServiceProcess;
let inventory: ServiceProcess;

beforeAll(async () => {
  const [bundle, server] = await Promise.all([
    bundleTracewireService(),
    startDevServer({ port: 0, host: '127.0.0.1', quiet: true }),
  ]);
  dev = server;
  inventory = await startOtelService('inventory', { collector: dev.url });
  orders = await startTracewireService('orders', {
    bundle,
    collector: dev.url,
    inventory: inventory.url,
  });
  storefront = await startOtelService('storefront', {
    collector: dev.url,
    downstream: `${orders.url}/orders/42`,
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([storefront, orders, inventory].map((service) => service?.stop()));
  await dev?.close();
});

describe('OpenTelemetry -> tracewire -> OpenTelemetry', () => {
  it('keeps one trace id, links every hop to its caller and passes tracestate through', async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const chain = await call(`${storefront.url}/checkout`, {
      traceparent: `00-${traceId}-${callerSpanId}-01`,
      tracestate: TRACESTATE,
    });
    await flushAll();

    const toOrders = traceparentOf(chain.downstream);
    const toInventory = traceparentOf(chain.downstream?.downstream);
    expect(toOrders.traceId).toBe(traceId);
    expect(toInventory.traceId).toBe(traceId);
    expect(toOrders.flags & 1).toBe(1);
    expect(toInventory.flags).toBe(toOrders.flags);
    expect(chain.downstream?.received.tracestate).toBe(TRACESTATE);
    expect(chain.downstream?.downstream?.received.tracestate).toBe(TRACESTATE);

    const storefrontSpans = spansOf(storefront, traceId);
    const storefrontServer = oneOtelSpan(storefrontSpans, OTEL_KIND.server);
    const storefrontClient = oneOtelSpan(storefrontSpans, OTEL_KIND.client);
    expect(storefrontServer.parentSpanId).toBe(callerSpanId);
    expect(storefrontClient.parentSpanId).toBe(storefrontServer.spanId);
    expect(toOrders.spanId).toBe(storefrontClient.spanId);

    const ordersTrace = oneTrace(orders, traceId);
    const ordersServer = rootOf(ordersTrace);
    expect(ordersServer.kind).toBe('server');
    expect(ordersServer.name).toBe('GET /orders/:id');
    expect(ordersServer.parentId).toBe(storefrontClient.spanId);
    expect(ordersTrace.parentSpanId).toBe(storefrontClient.spanId);
    const ordersClient = oneTracewireSpan(ordersTrace, 'client');
    expect(ordersClient.parentId).toBe(ordersServer.spanId);
    expect(toInventory.spanId).toBe(ordersClient.spanId);
    expect(ordersTrace.spans.every((span) => span.traceId === traceId)).toBe(true);

    const inventorySpans = spansOf(inventory, traceId);
    const inventoryServer = oneOtelSpan(inventorySpans, OTEL_KIND.server);
    expect(inventoryServer.parentSpanId).toBe(ordersClient.spanId);
    expect(inventoryServer.traceFlags & 1).toBe(1);
    expect(inventoryServer.traceState).toBe(TRACESTATE);
    expect(oneOtelSpan(inventorySpans, OTEL_KIND.internal).parentSpanId).toBe(
      inventoryServer.spanId,
    );
  });

  it('shows all three services as one trace in one `tracewire dev`', async () => {
    const chain = await call(`${storefront.url}/checkout`);
    const { traceId } = traceparentOf(chain.downstream);
    await flushAll();

    const trace = await dev.store.waitFor(
      (candidate) => candidate.id === traceId && candidate.services.length === 3,
      10_000,
    );
    expect([...trace.services].sort()).toEqual(['inventory', 'orders', 'storefront']);
    expect(trace.services[0]).toBe('storefront');
    expect(trace.spans).toHaveLength(6);
    expect(trace.spans.every((span) => span.traceId === traceId)).toBe(true);
    expectOneConnectedTree(trace, 'storefront');

    const span = (service: string, kind: string) => {
      const found = trace.spans.filter((s) => s.serviceName === service && s.kind === kind);
      expect(found, `${service} ${kind} spans`).toHaveLength(1);
      return found[0]!;
    };
    expect(span('orders', 'server').parentId).toBe(span('storefront', 'client').spanId);
    expect(span('inventory', 'server').parentId).toBe(span('orders', 'client').spanId);
    expect(span('inventory', 'internal').parentId).toBe(span('inventory', 'server').spanId);
  });

  it('records nothing anywhere for an unsampled request and forwards the unsampled flag', async () => {
    const traceId = hex(16);
    const before = await orders.flush();
    const chain = await call(`${storefront.url}/checkout`, {
      traceparent: `00-${traceId}-${hex(8)}-00`,
    });
    const [, after] = await flushAll();

    const toOrders = traceparentOf(chain.downstream);
    const toInventory = traceparentOf(chain.downstream?.downstream);
    expect(toOrders).toMatchObject({ traceId, flags: 0 });
    expect(toInventory).toMatchObject({ traceId, flags: 0 });
    expect(after?.tracesUnsampled).toBe((before?.tracesUnsampled ?? 0) + 1);

    expect(spansOf(storefront, traceId)).toEqual([]);
    expect(orders.traces.filter((trace) => trace.id === traceId)).toEqual([]);
    expect(spansOf(inventory, traceId)).toEqual([]);
    expect(dev.store.get(traceId)).toBeUndefined();
  });
});

describe('tracewire first -> OpenTelemetry', () => {
  it.each(['fetch', 'http'])(
    'an OpenTelemetry callee joins the trace tracewire started (outgoing %s)',
    async (client) => {
      const response = await fetch(`${orders.url}/orders/7?client=${client}`);
      expect(response.status).toBe(200);
      const chain = (await response.json()) as Hop;
      const started = parseTraceparent(response.headers.get('traceresponse'));
      const traceId = started.traceId;
      await Promise.all([orders.flush(), inventory.flush()]);

      expect(chain.received.traceparent).toBeNull();
      const toInventory = traceparentOf(chain.downstream);
      expect(toInventory.traceId).toBe(traceId);
      expect(toInventory.flags & 1).toBe(1);

      const ordersTrace = oneTrace(orders, traceId);
      const ordersServer = rootOf(ordersTrace);
      expect(ordersServer.parentId).toBeNull();
      expect(ordersTrace.parentSpanId).toBeUndefined();
      const ordersClient = oneTracewireSpan(ordersTrace, 'client');
      expect(ordersClient.parentId).toBe(ordersServer.spanId);
      expect(toInventory.spanId).toBe(ordersClient.spanId);

      const inventoryServer = oneOtelSpan(spansOf(inventory, traceId), OTEL_KIND.server);
      expect(inventoryServer.parentSpanId).toBe(ordersClient.spanId);

      const trace = await dev.store.waitFor(
        (candidate) => candidate.id === traceId && candidate.services.length === 2,
        10_000,
      );
      expect(trace.services).toEqual(['orders', 'inventory']);
      expect(trace.spans).toHaveLength(4);
      expectOneConnectedTree(trace, 'orders');
    },
  );
});

async function call(url: string, headers: Record<string, string> = {}): Promise<Hop> {
  const response = await fetch(url, { headers });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Hop;
}

/** Drains every service's exporters, so the collector and the reports hold everything. */
function flushAll() {
  return Promise.all([storefront.flush(), orders.flush(), inventory.flush()]);
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function traceparentOf(hop: Hop | undefined) {
  expect(hop?.received.traceparent, `traceparent received by ${hop?.service}`).toBeTypeOf('string');
  return parseTraceparent(hop!.received.traceparent);
}

function parseTraceparent(header: string | null) {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header ?? '');
  expect(match, `a version-00 traceparent, got ${header}`).not.toBeNull();
  return { traceId: match![1]!, spanId: match![2]!, flags: Number.parseInt(match![3]!, 16) };
}

function spansOf(service: ServiceProcess, traceId: string): ReportedSpan[] {
  return service.spans.filter((span) => span.traceId === traceId);
}

function oneOtelSpan(spans: ReportedSpan[], kind: number): ReportedSpan {
  const found = spans.filter((span) => span.kind === kind);
  expect(found, `spans of OpenTelemetry kind ${kind}`).toHaveLength(1);
  return found[0]!;
}

function oneTrace(service: ServiceProcess, traceId: string): TraceData {
  const found = service.traces.filter((trace) => trace.id === traceId);
  expect(found, `${service.name} traces with id ${traceId}`).toHaveLength(1);
  return found[0]!;
}

function rootOf(trace: TraceData): SpanData {
  const root = trace.spans.find((span) => span.spanId === trace.rootSpanId);
  expect(root).toBeDefined();
  return root!;
}

function oneTracewireSpan(trace: TraceData, kind: string): SpanData {
  const found = trace.spans.filter((span) => span.kind === kind);
  expect(found, `${trace.serviceName} ${kind} spans`).toHaveLength(1);
  return found[0]!;
}

/** Exactly one root, a server span of `rootService`, and every other span's parent present. */
function expectOneConnectedTree(trace: AssembledTrace, rootService: string): void {
  const ids = new Set(trace.spans.map((span) => span.spanId));
  expect(ids.size).toBe(trace.spans.length);
  const roots = trace.spans.filter((span) => span.parentId === null);
  expect(roots).toHaveLength(1);
  expect(roots[0]).toMatchObject({ serviceName: rootService, kind: 'server' });
  const orphans = trace.spans.filter((span) => span.parentId !== null && !ids.has(span.parentId));
  expect(orphans).toEqual([]);
}
