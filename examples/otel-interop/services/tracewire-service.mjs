// The orders service, traced by tracewire (Express), between OpenTelemetry services.
// Nothing here knows about OpenTelemetry: `tracing()` continues the caller's W3C
// traceparent/tracestate, and the outgoing fetch (or node:http) call to inventory
// gets a client span and a traceparent of its own.
//
//   OTEL_SERVICE_NAME    service name, default orders
//   TRACEWIRE_ENDPOINT   the collector, default `tracewire dev` on http://127.0.0.1:4318/v1/tracewire
//   INVENTORY_URL        the downstream service
//   PORT                 default 0 (any free port)
import http from 'node:http';
import { createTracer, httpExporter, registerShutdown } from '@tracewire/core';
import { tracing } from '@tracewire/express';
import express from 'express';
import report from './report-to-test.cjs';

const tracer = createTracer({
  serviceName: process.env.OTEL_SERVICE_NAME || 'orders',
  exporter: [
    httpExporter({
      url: process.env.TRACEWIRE_ENDPOINT || 'http://127.0.0.1:4318/v1/tracewire',
    }),
    // Only reports to the test, when there is one.
    report.tracewireReporter(),
  ],
  batch: { scheduledDelayMs: 100 },
});
registerShutdown(tracer, { timeoutMs: 3000 });
report.onFlushRequest(
  () => tracer.flush(),
  () => tracer.stats(),
);

const inventory = process.env.INVENTORY_URL ?? 'http://127.0.0.1:4103';

const app = express();
app.use(tracing({ tracer }));

app.get('/orders/:id', async (req, res, next) => {
  try {
    const url = `${inventory}/stock/${encodeURIComponent(req.params.id)}`;
    const downstream = req.query.client === 'http' ? await getJson(url) : await fetchJson(url);
    res.json({
      service: tracer.serviceName,
      received: {
        traceparent: req.get('traceparent') ?? null,
        tracestate: req.get('tracestate') ?? null,
      },
      downstream,
    });
  } catch (error) {
    next(error);
  }
});

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

function getJson(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => {
          try {
            resolve(JSON.parse(body));
          } catch (error) {
            reject(error);
          }
        });
      })
      .on('error', reject);
  });
}

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  report.ready(tracer.serviceName, server.address().port);
});
