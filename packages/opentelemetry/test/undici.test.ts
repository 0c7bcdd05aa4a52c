import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { instrumentHttpClients } from '@tracewire/core';
import { registerOpenTelemetry } from '@tracewire/opentelemetry';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryTracer, tracesWhere } from './support';

const setup = memoryTracer('gateway');
const { tracer } = setup;
let server: Server;
let url: string;
const received: IncomingMessage[] = [];
let unregister: () => void;
const undo: Array<() => void> = [];

beforeAll(async () => {
  unregister = registerOpenTelemetry({ tracer });
  server = createServer((req, res) => {
    received.push(req);
    res.end('pong');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
});
afterEach(() => {
  for (const fn of undo.splice(0).reverse()) fn();
  received.length = 0;
});
afterAll(async () => {
  unregister();
  await new Promise((resolve) => server.close(resolve));
});

const otelUndici = () =>
  registerInstrumentations({ instrumentations: [new UndiciInstrumentation()] });

/** One fetch inside a trace; returns the trace and the traceparent lines the server saw. */
async function tracedFetch(name: string) {
  await tracer.trace(name, async () => {
    const res = await fetch(url);
    expect(await res.text()).toBe('pong');
  });
  const [trace] = await tracesWhere(setup, (t) => t.name === name);
  const req = received.at(-1)!;
  const traceparents: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'traceparent')
      traceparents.push(req.rawHeaders[i + 1]!);
  }
  return { trace: trace!, traceparents, clients: trace!.spans.filter((s) => s.kind === 'client') };
}

describe("OTel's instrumentation-undici alongside tracewire's fetch instrumentation", () => {
  for (const order of ['otel first', 'tracewire first'] as const) {
    it(`one client span and one traceparent per call (${order})`, async () => {
      if (order === 'otel first') undo.push(otelUndici(), instrumentHttpClients());
      else undo.push(instrumentHttpClients(), otelUndici());
      const { trace, traceparents, clients } = await tracedFetch(`fetch ${order}`);
      expect(clients).toHaveLength(1);
      const client = clients[0]!;
      // tracewire's own span: named and attributed by core's client instrumentation.
      expect(client.attributes['url.full']).toBe(url);
      expect(client.attributes['http.response.status_code']).toBe(200);
      expect(client.attributes['otel.scope.name']).toBeUndefined();
      expect(traceparents).toEqual([`00-${trace.id}-${client.spanId}-03`]);
    });
  }

  it("with tracewire's client instrumentation off, OTel's span is the one", async () => {
    undo.push(otelUndici());
    const { trace, traceparents, clients } = await tracedFetch('fetch otel only');
    expect(clients).toHaveLength(1);
    const client = clients[0]!;
    expect(client.attributes['otel.scope.name']).toBe('@opentelemetry/instrumentation-undici');
    expect(client.parentId).toBe(trace.rootSpanId);
    expect(traceparents).toEqual([`00-${trace.id}-${client.spanId}-03`]);
  });
});
