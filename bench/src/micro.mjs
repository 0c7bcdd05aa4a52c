// Hot-path micro-benchmarks: each tracewire operation next to its OpenTelemetry
// equivalent, in ns/op. A hand-written loop: warm-up until the timing settles,
// then the median of several timed batches (per-op timers would cost more than
// the ops). `pnpm --filter @tracewire/bench micro [--quick] [--only name]`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.mjs';
import { buildCoreModule } from './lib/core-source.mjs';
import { machineInfo, resolveNode } from './lib/env.mjs';
import { fmt, markdownTable, median } from './lib/stats.mjs';

const HELP = `Usage: pnpm --filter @tracewire/bench micro [options]
  --samples N    timed batches per case (default 15)
  --batch-ms N   target milliseconds per batch (default 20)
  --only TEXT    run only cases whose name contains TEXT
  --quick        5 samples of 5 ms (a smoke run)
  --out FILE     results JSON (default results/micro-<node>-<time>.json)`;

const opts = parseArgs(
  process.argv.slice(2),
  { samples: 15, batchMs: 20, only: '', quick: false, out: '' },
  HELP,
);
if (opts.quick) {
  opts.samples = 5;
  opts.batchMs = 5;
}

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

// --- tracewire -------------------------------------------------------------
const core = await import('@tracewire/core');
const coreHttp = await import('@tracewire/core/http');
// Id generation is internal to core (not exported), so it is bundled from source.
const ids = await import(await buildCoreModule('internal/ids.ts', ['newTraceId', 'newSpanId']));
const twNoop = { name: 'noop', export: () => ({ ok: true }) };
const twTracer = core.createTracer({
  serviceName: 'micro',
  sampler: core.alwaysOn(),
  exporter: twNoop,
  onError: () => {},
});

// --- OpenTelemetry ---------------------------------------------------------
const api = require('@opentelemetry/api');
const otelCore = require('@opentelemetry/core');
const { BatchSpanProcessor, RandomIdGenerator } = require('@opentelemetry/sdk-trace-base');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { ExportResultCode } = otelCore;
const otelNoop = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => {},
  forceFlush: async () => {},
};
const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(otelNoop)] });
provider.register();
const otelTracer = api.trace.getTracer('micro');
const idGenerator = new RandomIdGenerator();
const propagator = new otelCore.W3CTraceContextPropagator();

// --- export encoding inputs ------------------------------------------------
// One batch of request traces as each library would encode it for its HTTP
// exporter: tracewire's compact native JSON, OpenTelemetry's OTLP/JSON.
const ENCODE_BATCH = 128;
const { encodeBatch } = await import(
  await buildCoreModule('export/internal/wire.ts', ['encodeBatch'])
);
const twBatch = await tracewireRequestTraces(ENCODE_BATCH);
const otlpTransformer = createRequire(require.resolve('@opentelemetry/exporter-trace-otlp-http'))(
  '@opentelemetry/otlp-transformer',
);
const otelBatch = otelRequestSpans(ENCODE_BATCH);

/** Finished request traces as the middleware records them: server span + one child. */
async function tracewireRequestTraces(count) {
  const memory = core.memoryExporter();
  const tracer = core.createTracer({
    serviceName: 'micro',
    sampler: core.alwaysOn(),
    exporter: memory,
    outgoing: false,
  });
  const http = coreHttp.httpServerTracing({ tracer });
  const responseHeaders = { 'content-type': 'application/json', 'content-length': '45' };
  for (let i = 0; i < count; i++) {
    const request = http.start({
      method: 'GET',
      url: `/users/${i}`,
      headers: { host: '127.0.0.1:3000', 'user-agent': 'wrk', accept: '*/*' },
      remoteAddress: '127.0.0.1',
      httpVersion: '1.1',
    });
    request.trace.startSpan('db.lookup').end();
    request.end({ statusCode: 200, route: '/users/:id', responseSize: 45, responseHeaders });
  }
  await tracer.flush();
  return memory.traces();
}

/** The OpenTelemetry equivalent: spans with the HTTP semantic-convention attributes its instrumentation sets. */
function otelRequestSpans(count) {
  const {
    InMemorySpanExporter,
    SimpleSpanProcessor,
    BasicTracerProvider,
  } = require('@opentelemetry/sdk-trace-base');
  const memory = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(memory)],
  }).getTracer('micro');
  for (let i = 0; i < count; i++) {
    const root = tracer.startSpan('GET /users/:id', {
      kind: api.SpanKind.SERVER,
      attributes: {
        'http.url': `http://127.0.0.1:3000/users/${i}`,
        'http.host': '127.0.0.1:3000',
        'net.host.name': '127.0.0.1',
        'http.method': 'GET',
        'http.scheme': 'http',
        'http.target': `/users/${i}`,
        'http.user_agent': 'wrk',
        'http.flavor': '1.1',
        'net.transport': 'ip_tcp',
        'net.host.ip': '127.0.0.1',
        'net.host.port': 3000,
        'net.peer.ip': '127.0.0.1',
        'net.peer.port': 50000 + i,
      },
    });
    tracer.startSpan('db.lookup', undefined, api.trace.setSpan(api.ROOT_CONTEXT, root)).end();
    root.setAttributes({
      'http.status_code': 200,
      'http.status_text': 'OK',
      'http.route': '/users/:id',
    });
    root.end();
  }
  return memory.getFinishedSpans();
}

// --- shared inputs ---------------------------------------------------------
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
// What Node hands an app: lowercase keys, a typical browser-ish request.
const inboundHeaders = {
  host: '127.0.0.1:3000',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench',
  accept: 'application/json',
  'accept-encoding': 'gzip, deflate, br',
  connection: 'keep-alive',
  traceparent: TRACEPARENT,
};
const twContext = core.parseTraceparent(TRACEPARENT);
const otelContext = api.trace.setSpanContext(api.ROOT_CONTEXT, {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: 1,
});
// BatchSpanProcessor drops spans past its 2048-span queue, which is cheaper than
// keeping them: OpenTelemetry batches stay below it and are flushed between batches.
const OTEL_QUEUE_SAFE = 1800;
let sink; // keeps results alive so nothing is optimised away

/**
 * A case is either `op()` timed in a loop, or `{ setup(n), run(state, n), after() }`
 * when each op needs something made beforehand that must not be timed.
 */
const cases = [
  {
    name: 'trace id',
    tracewire: () => ids.newTraceId(),
    otel: () => idGenerator.generateTraceId(),
  },
  {
    name: 'span id',
    tracewire: () => ids.newSpanId(),
    otel: () => idGenerator.generateSpanId(),
  },
  {
    name: 'traceparent parse',
    tracewire: () => core.parseTraceparent(TRACEPARENT),
    otel: () => otelCore.parseTraceParent(TRACEPARENT),
  },
  {
    name: 'extract from request headers',
    tracewire: () => core.extract(inboundHeaders),
    otel: () => propagator.extract(api.ROOT_CONTEXT, inboundHeaders, api.defaultTextMapGetter),
  },
  {
    name: 'traceparent format (inject)',
    tracewire: () => core.injectContext({}, twContext),
    otel: () => {
      const carrier = {};
      propagator.inject(otelContext, carrier, api.defaultTextMapSetter);
      return carrier;
    },
  },
  {
    name: 'span start + end',
    tracewire: batched(
      (n) => {
        // Fresh traces keep every span recording (a trace holds 1000 spans at most).
        const traces = [];
        for (let i = 0; i < Math.ceil(n / 500); i++) traces.push(twTracer.startTrace('t'));
        return traces;
      },
      (traces, n) => {
        for (let i = 0; i < n; i++) traces[(i / 500) | 0].startSpan('db.lookup').end();
      },
    ),
    otel: batched(
      () => otelContext,
      (parent, n) => {
        for (let i = 0; i < n; i++) otelTracer.startSpan('db.lookup', undefined, parent).end();
      },
      () => provider.forceFlush(),
      OTEL_QUEUE_SAFE,
    ),
  },
  {
    name: 'child span with context (span(name, fn))',
    tracewire: batched(
      (n) => {
        const traces = [];
        for (let i = 0; i < Math.ceil(n / 500); i++) traces.push(twTracer.startTrace('t'));
        return traces;
      },
      (traces, n) => {
        // One run() per trace, as OpenTelemetry gets one context.with() per batch.
        for (let t = 0; t < traces.length; t++) {
          const count = Math.min(500, n - t * 500);
          traces[t].run(() => {
            for (let i = 0; i < count; i++) core.span('db.lookup', noop);
          });
        }
      },
    ),
    otel: batched(
      () => otelContext,
      (parent, n) => {
        api.context.with(parent, () => {
          for (let i = 0; i < n; i++) otelTracer.startActiveSpan('db.lookup', endSpan);
        });
      },
      () => provider.forceFlush(),
      OTEL_QUEUE_SAFE,
    ),
  },
  {
    name: 'trace end into the exporter queue',
    tracewire: batched(
      (n) => {
        const traces = [];
        for (let i = 0; i < n; i++) {
          const trace = twTracer.startTrace({ name: 'GET /users/:id', kind: 'server' });
          trace.startSpan('db.lookup').end();
          traces.push(trace);
        }
        return traces;
      },
      (traces, n) => {
        for (let i = 0; i < n; i++) traces[i].end();
      },
      () => twTracer.flush(),
      1500,
    ),
    otel: batched(
      (n) => {
        const roots = [];
        for (let i = 0; i < n; i++) {
          const root = otelTracer.startSpan('GET /users/:id', { kind: api.SpanKind.SERVER });
          otelTracer
            .startSpan('db.lookup', undefined, api.trace.setSpan(api.ROOT_CONTEXT, root))
            .end();
          roots.push(root);
        }
        return roots;
      },
      (roots, n) => {
        for (let i = 0; i < n; i++) roots[i].end();
      },
      () => provider.forceFlush(),
      // Below BatchSpanProcessor's 2048-span queue with the children, so no span is dropped.
      900,
    ),
  },
  {
    name: 'encode a request trace for export (per trace, batches of 128)',
    perBatch: ENCODE_BATCH,
    // What httpExporter does to a batch before it is sent.
    tracewire: () => encodeBatch({ traces: twBatch, logs: [] }),
    // What OTLPTraceExporter (http/json) does to a batch before it is sent.
    otel: () => otlpTransformer.JsonTraceSerializer.serializeRequest(otelBatch),
  },
];

function noop() {}
function endSpan(span) {
  span.end();
}

/** A case whose ops need untimed setup; `maxBatch` keeps a batch inside queue bounds. */
function batched(setup, run, after, maxBatch = 50_000) {
  return { setup, run, after, maxBatch };
}

/** A case timed per batch reports per item: the batch's time over its size. */
function perItem(result, items = 1) {
  return { ...result, nsPerOp: result.nsPerOp / items, items };
}

async function measure(subject) {
  const isLoop = typeof subject === 'function';
  const maxBatch = isLoop ? Number.POSITIVE_INFINITY : subject.maxBatch;
  const timeBatch = async (n) => {
    if (isLoop) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) sink = subject();
      return Number(process.hrtime.bigint() - start);
    }
    const state = subject.setup(n);
    const start = process.hrtime.bigint();
    subject.run(state, n);
    const elapsed = Number(process.hrtime.bigint() - start);
    await subject.after?.();
    return elapsed;
  };
  // Calibrate: grow the batch until it takes batchMs, then warm up for a while.
  let n = 100;
  for (;;) {
    const ns = await timeBatch(n);
    if (ns >= opts.batchMs * 1e6 || n >= maxBatch) break;
    n = Math.min(maxBatch, n * 4);
  }
  const warmUntil = Date.now() + Math.max(200, opts.batchMs * 10);
  while (Date.now() < warmUntil) await timeBatch(n);
  const samples = [];
  for (let i = 0; i < opts.samples; i++) samples.push((await timeBatch(n)) / n);
  return { nsPerOp: median(samples), batch: n, samples };
}

const node = resolveNode('current');
const rows = [];
const results = [];
for (const c of cases) {
  if (opts.only && !c.name.includes(opts.only)) continue;
  const tw = perItem(await measure(c.tracewire), c.perBatch);
  const ot = perItem(await measure(c.otel), c.perBatch);
  const ratio = tw.nsPerOp / ot.nsPerOp;
  results.push({ name: c.name, tracewire: tw, otel: ot, ratio });
  rows.push([c.name, fmt(tw.nsPerOp, 0), fmt(ot.nsPerOp, 0), fmt(ratio, 2)]);
  console.error(
    `${c.name}: tracewire ${fmt(tw.nsPerOp, 1)} ns/op, otel ${fmt(ot.nsPerOp, 1)} ns/op`,
  );
}
if (typeof sink === 'symbol') console.log(sink);

const markdown =
  `### Micro-benchmarks, Node ${node.version} (${opts.samples} batches of ~${opts.batchMs} ms, median)\n\n` +
  markdownTable(['operation', 'tracewire ns/op', 'OpenTelemetry ns/op', 'tracewire / otel'], rows);
console.log(markdown);

await twTracer.shutdown(1000);
await provider.shutdown();

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = opts.out
  ? resolve(process.env.INIT_CWD ?? process.cwd(), opts.out)
  : join(here, '..', 'results', `micro-${node.label}-${stamp}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), machine: machineInfo([node]), config: opts, results, markdown }, null, 2)}\n`,
);
console.error(`micro: results written to ${out}`);
