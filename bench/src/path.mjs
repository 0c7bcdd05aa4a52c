// Core's request path in one process, without a framework or a load generator:
// synthetic requests go through httpServerTracing() and endWithNodeResponse()
// on a stand-in response, with one child span each, exactly as an adapter
// drives them, and the tracer exports to a real sink process over HTTP. What
// tracing costs per request here is core's own work, free of the wake-up costs
// that inflate small differences under `pnpm bench` (see "Calibration").
// `pnpm --filter @tracewire/bench path [--modes L] [--context] [--requests N]`.
import { EventEmitter } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listOption, parseArgs } from './lib/args.mjs';
import { startChild } from './lib/child.mjs';
import { hasTaskset } from './lib/env.mjs';
import { fmt, markdownTable } from './lib/stats.mjs';

const MODES = ['bare', 'none', 'noop', 'http'];
const HELP = `Usage: pnpm --filter @tracewire/bench path [options]

CPU per synthetic request through core's HTTP lifecycle, in one process:
  bare   no tracing (the harness itself)
  none   a tracer with no exporter: ids, context and the lifecycle, nothing recorded
  noop   everything recorded and queued, then discarded unserialised
  http   exported with httpExporter to a sink process on 127.0.0.1

Options:
  --modes L       comma list of ${MODES.join(',')} (default all)
  --context       AsyncLocalStorage context on (default: context: false)
  --requests N    measured requests per run (default 100000)
  --runs N        runs per mode, each in a fresh process; the best is kept (default 3)
`;

const here = dirname(fileURLToPath(import.meta.url));

if (process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3]));
} else {
  await driver();
}

async function driver() {
  const opts = parseArgs(
    process.argv.slice(2),
    { modes: MODES.join(','), context: false, requests: 100_000, runs: 3 },
    HELP,
  );
  const modes = listOption(opts.modes, MODES, 'modes');
  const pin = hasTaskset();
  const sink = startChild({ node: process.execPath, script: join(here, 'sink.mjs'), cpu: 0, pin });
  const { port } = await sink.ready;
  const rows = [];
  try {
    for (const mode of modes) {
      const results = [];
      for (let run = 0; run < opts.runs; run++) {
        const config = { mode, context: opts.context, requests: opts.requests, port };
        const worker = startChild({
          node: process.execPath,
          script: fileURLToPath(import.meta.url),
          args: ['--child', JSON.stringify(config)],
          cpu: 1,
          pin,
        });
        const result = await worker.ready;
        await worker.stop();
        results.push(result);
      }
      const best = results.reduce((a, b) => (b.cpuUs < a.cpuUs ? b : a));
      rows.push({ mode, ...best });
      console.error(`[path] ${mode}: ${fmt(best.cpuUs, 2)} µs CPU/request (best of ${opts.runs})`);
    }
  } finally {
    await sink.stop();
  }
  const bare = rows.find((r) => r.mode === 'bare');
  console.log(
    `### Core's request path, ${process.version}, context: ${opts.context}, ${fmt(opts.requests)} requests per run, best of ${opts.runs}\n`,
  );
  console.log(
    markdownTable(
      ['mode', 'CPU µs/request', bare ? '+ over bare' : '', 'traces dropped'],
      rows.map((r) => [
        r.mode,
        fmt(r.cpuUs, 2),
        bare && r !== bare ? fmt(r.cpuUs - bare.cpuUs, 2) : '',
        fmt(r.dropped),
      ]),
    ),
  );
}

/** One run: warm up, then time `requests` synthetic requests, 50 in flight at a time. */
async function child({ mode, context, requests, port }) {
  const core = await import('@tracewire/core');
  const exporter =
    mode === 'http'
      ? core.httpExporter({ url: `http://127.0.0.1:${port}/v1/traces` })
      : mode === 'noop'
        ? { name: 'noop', export: () => ({ ok: true }) }
        : undefined;
  const tracer = core.createTracer({
    serviceName: 'path',
    sampler: core.alwaysOn(),
    exporter,
    context,
    onError: () => {},
  });
  const http = core.httpServerTracing({ tracer, outgoing: false });
  const headers = { host: '127.0.0.1:3000', 'user-agent': 'wrk/4.1' };
  const socket = { remoteAddress: '127.0.0.1', encrypted: false };

  /** What an adapter sees of a ServerResponse, and nothing more. */
  class Response extends EventEmitter {
    statusCode = 200;
    headersSent = false;
    writableFinished = false;
    fields = { 'content-type': 'application/json', 'content-length': '41' };
    setHeader(name, value) {
      this.fields[name] = value;
    }
    getHeader(name) {
      return this.fields[name];
    }
    hasHeader(name) {
      return name in this.fields;
    }
    writeHead() {
      this.headersSent = true;
      return this;
    }
  }

  async function one(i) {
    const res = new Response();
    if (mode === 'bare') {
      await findUser(i);
      res.writeHead(200);
      res.writableFinished = true;
      res.emit('close');
      return;
    }
    const req = { method: 'GET', url: `/users/${i}`, headers, socket, httpVersion: '1.1' };
    const request = http.start(core.nodeRequestInfo(req));
    core.endWithNodeResponse(request, res, () => ({ route: '/users/:id' }));
    await request.run(async () => {
      if (context) {
        await core.span('db.lookup', () => findUser(i));
      } else {
        const child = request.span.startSpan('db.lookup');
        await findUser(i);
        child.end();
      }
    });
    res.writeHead(200);
    res.writableFinished = true;
    res.emit('close');
  }

  async function drive(count) {
    for (let i = 0; i < count; i += 50) {
      const batch = [];
      for (let j = 0; j < 50; j++) batch.push(one(i + j));
      await Promise.all(batch);
      // A turn of the event loop per 50 requests, as a server would give the exporter.
      await new Promise(setImmediate);
    }
  }

  await drive(20_000);
  await tracer.flush();
  const before = tracer.stats();
  const start = process.cpuUsage();
  await drive(requests);
  await tracer.flush();
  const cpu = process.cpuUsage(start);
  const after = tracer.stats();
  const dropped =
    Object.values(after.tracesDropped).reduce((a, b) => a + b, 0) -
    Object.values(before.tracesDropped).reduce((a, b) => a + b, 0);
  process.send({ type: 'ready', cpuUs: (cpu.user + cpu.system) / requests, dropped });
  process.on('message', (message) => {
    if (message?.type === 'stop') process.exit(0);
  });
}

async function findUser(id) {
  return { id, name: `user-${id}`, plan: 'pro' };
}
