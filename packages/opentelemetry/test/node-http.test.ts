import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { instrumentHttpClients } from '@tracewire/core';
import { registerOpenTelemetry } from '@tracewire/opentelemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTracer, tracesWhere } from './support';

const setup = memoryTracer('caller');
const { tracer } = setup;
const received: IncomingMessage[] = [];
let server: Server;
let port: number;
const undo: Array<() => void> = [];

beforeAll(async () => {
  undo.push(registerOpenTelemetry({ tracer }));
  // Outgoing calls only: incoming requests are a tracewire adapter's job.
  undo.push(
    registerInstrumentations({
      instrumentations: [new HttpInstrumentation({ disableIncomingRequestInstrumentation: true })],
    }),
  );
  undo.push(instrumentHttpClients());
  server = createServer((req, res) => {
    received.push(req);
    res.end('pong');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const fn of undo.reverse()) fn();
  await new Promise((resolve) => server.close(resolve));
});

describe("OTel's instrumentation-http alongside tracewire's node:http instrumentation", () => {
  it('one client span and one traceparent per http.get', async () => {
    // Required after the instrumentation is registered, as a CommonJS app does.
    const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
    await tracer.trace('http.get', async () => {
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/ping' }, (res) => {
            let text = '';
            res.on('data', (chunk) => {
              text += chunk;
            });
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      expect(body).toBe('pong');
    });
    const [trace] = await tracesWhere(setup, (t) => t.name === 'http.get');
    const clients = trace!.spans.filter((s) => s.kind === 'client');
    expect(clients).toHaveLength(1);
    expect(clients[0]!.attributes['otel.scope.name']).toBeUndefined();
    const req = received.at(-1)!;
    const traceparents = req.rawHeaders.filter(
      (_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === 'traceparent',
    );
    expect(traceparents).toHaveLength(1);
    expect(req.headers.traceparent).toBe(`00-${trace!.id}-${clients[0]!.spanId}-03`);
  });
});
