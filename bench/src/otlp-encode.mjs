// What encoding one export batch costs @tracewire/otlp: the same batch of
// finished request traces (each a server span with core's default HTTP
// attributes and one child span, made by core's own request lifecycle) turned
// into the OTLP request (`toOtlpTraces`), then into a body three ways:
//   json      JSON.stringify of the OTLP/JSON request (protocol http/json)
//   writer    the exporter's protobuf encoder (src/internal/proto-encode.ts)
//   protobufjs the OTLP request converted to protobufjs's input form and encoded
//             with the code OpenTelemetry generated from opentelemetry-proto
//             (what @tracewire/otlp used before the writer)
// Each is checked to decode (with that generated code) to the same spans.
// `pnpm --filter @tracewire/bench otlp-encode [--batch N] [--batches N]`.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.mjs';
import { buildPackageModule } from './lib/core-source.mjs';
import { FakeResponse } from './lib/fake-response.mjs';
import { fmt, markdownTable } from './lib/stats.mjs';

const HELP = `Usage: pnpm --filter @tracewire/bench otlp-encode [options]

Microseconds to encode one OTLP export batch, median of --batches timed runs:
  --batch N     traces per batch (default 128, the pipeline's batch size)
  --batches N   timed repetitions per encoder (default 31)
`;

const opts = parseArgs(process.argv.slice(2), { batch: 128, batches: 31 }, HELP);
const here = dirname(fileURLToPath(import.meta.url));
const otlpDir = join(here, '..', '..', 'packages', 'otlp');
const official = createRequire(join(otlpDir, 'package.json'))(
  '@opentelemetry/otlp-transformer/build/src/generated/root.js',
);
const Request = official.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const { encodeTraces } = await import(
  await buildPackageModule('otlp', 'internal/proto-encode.ts', ['encodeTraces'])
);
const { toOtlpTraces } = await import(
  await buildPackageModule('otlp', 'to-otlp-traces.ts', ['toOtlpTraces'])
);

const traces = await requestTraces(opts.batch);
const request = toOtlpTraces(traces);

const encoders = {
  json: () => Buffer.from(JSON.stringify(request)),
  writer: () => encodeTraces(request),
  protobufjs: () => Request.encode(toProtobufjsInput(request)).finish(),
};

const reference = spansOf(Request.decode(encoders.writer()));
for (const name of ['writer', 'protobufjs']) {
  const decoded = spansOf(Request.decode(encoders[name]()));
  if (JSON.stringify(decoded) !== JSON.stringify(reference)) {
    throw new Error(`otlp-encode: ${name} does not decode to the same spans as writer`);
  }
}

const rows = [];
const results = {};
for (const name of Object.keys(encoders)) results[name] = [];
// Warm up every encoder, then alternate them batch by batch, so a noisy
// neighbour slows them alike.
for (let i = 0; i < 200; i++) for (const encode of Object.values(encoders)) encode();
for (let i = 0; i < opts.batches; i++) {
  for (const [name, encode] of Object.entries(encoders)) {
    const start = process.hrtime.bigint();
    for (let j = 0; j < 10; j++) encode();
    results[name].push(Number(process.hrtime.bigint() - start) / 10 / 1000);
  }
}
const median = (list) => list.slice().sort((a, b) => a - b)[list.length >> 1];
const writerUs = median(results.writer);
for (const [name, encode] of Object.entries(encoders)) {
  const us = median(results[name]);
  rows.push([
    name,
    fmt(us, 1),
    fmt((us / opts.batch) * 1000, 0),
    fmt(encode().length),
    fmt(us / writerUs, 2),
  ]);
}
console.log(
  `### Encoding one OTLP batch of ${opts.batch} request traces (${traces.reduce((n, t) => n + t.spans.length, 0)} spans), ${process.version}, median of ${opts.batches}\n`,
);
console.log(markdownTable(['encoder', 'µs per batch', 'ns per trace', 'bytes', 'x writer'], rows));

/** Finished traces of `count` synthetic requests through core's HTTP lifecycle. */
async function requestTraces(count) {
  const core = await import('@tracewire/core');
  const exporter = core.memoryExporter();
  const tracer = core.createTracer({
    serviceName: 'bench-otlp',
    sampler: core.alwaysOn(),
    exporter,
    context: false,
  });
  const coreHttp = await import('@tracewire/core/http');
  const http = coreHttp.httpServerTracing({ tracer });
  const headers = { host: '127.0.0.1:3000', 'user-agent': 'wrk/4.1' };
  const socket = { remoteAddress: '127.0.0.1', encrypted: false };
  for (let i = 0; i < count; i++) {
    const res = new FakeResponse();
    const req = { method: 'GET', url: `/users/${i}?q=1`, headers, socket, httpVersion: '1.1' };
    const request = http.start(coreHttp.nodeRequestInfo(req));
    coreHttp.endWithNodeResponse(request, res, () => ({ route: '/users/:id' }));
    await request.run(async () => {
      const child = request.span.startSpan('db.lookup');
      await Promise.resolve();
      child.end();
    });
    res.writeHead(200);
    res.writableFinished = true;
    res.emit('close');
  }
  await tracer.flush();
  const done = exporter.traces();
  if (done.length !== count) throw new Error(`otlp-encode: ${done.length} of ${count} traces`);
  return done;
}

/** What protobufjs's generated encoder takes: ids as bytes, 64-bit values as { low, high }. */
function toProtobufjsInput(req) {
  const long = (decimal) => {
    const value = BigInt.asUintN(64, BigInt(decimal));
    return { low: Number(value & 0xffffffffn) | 0, high: Number(value >> 32n) | 0 };
  };
  const bytes = (hex) => (hex === undefined ? undefined : Buffer.from(hex, 'hex'));
  const any = (value) => {
    if (value === undefined) return value;
    if (value.intValue !== undefined) return { intValue: long(value.intValue) };
    if (value.arrayValue) return { arrayValue: { values: value.arrayValue.values.map(any) } };
    if (value.kvlistValue) return { kvlistValue: { values: kvs(value.kvlistValue.values) } };
    return value;
  };
  const kvs = (list) => list?.map((kv) => ({ key: kv.key, value: any(kv.value) }));
  return {
    resourceSpans: req.resourceSpans.map((rs) => ({
      ...rs,
      resource: { ...rs.resource, attributes: kvs(rs.resource.attributes) },
      scopeSpans: rs.scopeSpans.map((ss) => ({
        ...ss,
        spans: ss.spans.map((span) => ({
          ...span,
          traceId: bytes(span.traceId),
          spanId: bytes(span.spanId),
          parentSpanId: bytes(span.parentSpanId),
          startTimeUnixNano: long(span.startTimeUnixNano),
          endTimeUnixNano: long(span.endTimeUnixNano),
          attributes: kvs(span.attributes),
          events: span.events?.map((e) => ({
            ...e,
            timeUnixNano: long(e.timeUnixNano),
            attributes: kvs(e.attributes),
          })),
        })),
      })),
    })),
  };
}

function spansOf(message) {
  const object = Request.toObject(message, { longs: String, enums: Number, bytes: String });
  return object.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
}
