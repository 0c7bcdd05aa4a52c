'use strict';
// A plain node:http service instrumented only by OpenTelemetry. Run it as
//   node --require ./otel-setup.cjs otel-service.cjs
// With DOWNSTREAM_URL it calls that URL for every request (the storefront role);
// without, it answers from a traced "lookup" of its own (the inventory role).
// It answers with the trace headers it received and its downstream's answer, so
// a caller can see the whole chain of traceparent/tracestate hops.
//
//   OTEL_SERVICE_NAME  service name       PORT  default 0 (any free port)
//   DOWNSTREAM_URL     optional callee

const http = require('node:http');
const { SpanStatusCode, trace } = require('@opentelemetry/api');
const { ready } = require('./report-to-test.cjs');

const service = process.env.OTEL_SERVICE_NAME || 'otel-service';
const downstream = process.env.DOWNSTREAM_URL;
const tracer = trace.getTracer(service);

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

function lookup() {
  return tracer.startActiveSpan(`${service} lookup`, (span) => {
    span.setAttribute('db.system', 'redis');
    span.end();
    return { inStock: 3 };
  });
}

const server = http.createServer((req, res) => {
  const received = {
    traceparent: req.headers.traceparent ?? null,
    tracestate: req.headers.tracestate ?? null,
  };
  const answer = downstream
    ? getJson(downstream).then((body) => ({ downstream: body }))
    : Promise.resolve({ stock: lookup() });
  answer.then(
    (result) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ service, received, ...result }));
    },
    (error) => {
      trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`${service}: downstream failed: ${error}`);
    },
  );
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  ready(service, server.address().port);
});
