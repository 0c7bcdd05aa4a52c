// Core's request path in one process, without a framework or a load generator:
// synthetic requests go through httpServerTracing() and endWithNodeResponse()
// on a stand-in response, with one child span each, exactly as an adapter
// drives them, and the tracer exports to a real sink process over HTTP. What
// tracing costs per request here is core's own work, free of the wake-up costs
// that inflate small differences under `pnpm bench` (see "Calibration").
// `--instructions` counts instructions under valgrind instead of timing CPU:
// slow, but the same build gives the same count to within about 1%, where CPU
// time on a shared VM moves by 20-40% between runs.
// `pnpm --filter @tracewire/bench path [--modes L] [--context] [--requests N] [--instructions]`.
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { listOption, parseArgs } from './lib/args.mjs';
import { startChild } from './lib/child.mjs';
import { hasTaskset, onPath } from './lib/env.mjs';
import { FakeResponse } from './lib/fake-response.mjs';
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
  --instructions  count instructions per request with valgrind's callgrind instead of
                  timing CPU: V8 runs single-threaded and predictable, 60,000 requests
                  warm up uninstrumented, then N (default 20000) are counted; about a
                  minute per mode, and within about 1% between runs of the same build
                  (needs valgrind: apt-get install valgrind)
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
    { modes: MODES.join(','), context: false, requests: 0, runs: 3, instructions: false },
    HELP,
  );
  const instructions = opts.instructions === true;
  const requests = opts.requests > 0 ? opts.requests : instructions ? 20_000 : 100_000;
  if (instructions && !(onPath('valgrind') && onPath('callgrind_control'))) {
    console.error('path: --instructions needs valgrind (apt-get install valgrind)');
    process.exit(2);
  }
  const modes = listOption(opts.modes, MODES, 'modes');
  const pin = hasTaskset();
  const sink = startChild({ node: process.execPath, script: join(here, 'sink.mjs'), cpu: 0, pin });
  const { port } = await sink.ready;
  const rows = [];
  try {
    for (const mode of modes) {
      const results = [];
      for (let run = 0; run < (instructions ? 1 : opts.runs); run++) {
        const config = { mode, context: opts.context, requests, port, warmup: 20_000 };
        if (instructions) {
          results.push(await countInstructions({ ...config, warmup: 60_000 }));
          continue;
        }
        const worker = startChild({
          node: process.execPath,
          script: fileURLToPath(import.meta.url),
          args: ['--child', JSON.stringify(config)],
          execArgv: ['--expose-gc'],
          cpu: 1,
          pin,
        });
        const result = await worker.ready;
        await worker.stop();
        results.push(result);
      }
      const best = results.reduce((a, b) => (b.cpuUs < a.cpuUs ? b : a));
      rows.push({ mode, ...best });
      console.error(
        instructions
          ? `[path] ${mode}: ${fmt(best.cpuUs)} instructions/request`
          : `[path] ${mode}: ${fmt(best.cpuUs, 2)} µs CPU/request (best of ${opts.runs})`,
      );
    }
  } finally {
    await sink.stop();
  }
  const bare = rows.find((r) => r.mode === 'bare');
  console.log(
    instructions
      ? `### Core's request path, ${process.version}, context: ${opts.context}, instructions per request (callgrind, ${fmt(requests)} counted after 60,000 warm-up)\n`
      : `### Core's request path, ${process.version}, context: ${opts.context}, ${fmt(requests)} requests per run, best of ${opts.runs}\n`,
  );
  const digits = instructions ? 0 : 2;
  console.log(
    markdownTable(
      [
        'mode',
        instructions ? 'instructions/request' : 'CPU µs/request',
        bare ? '+ over bare' : '',
        'traces dropped',
        'peak RSS MB',
        'young gen MB',
        'heap after GC MB',
      ],
      rows.map((r) => [
        r.mode,
        fmt(r.cpuUs, digits),
        bare && r !== bare ? fmt(r.cpuUs - bare.cpuUs, digits) : '',
        fmt(r.dropped),
        fmt(r.peakRssMB),
        fmt(r.youngMB),
        r.heapAfterGcMB === undefined ? 'n/a' : fmt(r.heapAfterGcMB, 1),
      ]),
    ),
  );
}

/**
 * One run under callgrind: the warm-up runs uninstrumented, the child says so,
 * instrumentation is switched on for the measured requests, and the count
 * valgrind reports at exit is divided among them (in `cpuUs`, the field the
 * table reads).
 */
async function countInstructions(config) {
  const worker = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      '--callgrind-out-file=/dev/null',
      '--smc-check=all-non-file',
      process.execPath,
      // Compilation and garbage collection on the main thread, in a repeatable order.
      '--single-threaded',
      '--predictable',
      fileURLToPath(import.meta.url),
      '--child',
      JSON.stringify({ ...config, counted: true }),
    ],
    { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] },
  );
  let stderr = '';
  worker.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let result;
  worker.on('message', (message) => {
    if (message?.type === 'warm') {
      execFileSync('callgrind_control', ['--instr=on', String(worker.pid)], { stdio: 'ignore' });
      worker.send({ type: 'go' });
    } else if (message?.type === 'ready') {
      result = message;
      worker.send({ type: 'stop' });
    }
  });
  await new Promise((resolve) => worker.once('exit', resolve));
  const collected = /Collected : (\d+)/.exec(stderr);
  if (result === undefined || collected === null) {
    throw new Error(`path: the callgrind run failed:\n${stderr.slice(-2000)}`);
  }
  return { ...result, cpuUs: Number(collected[1]) / config.requests };
}

/** One run: warm up, then time `requests` synthetic requests, 50 in flight at a time. */
async function child({ mode, context, requests, port, warmup = 20_000, counted = false }) {
  const core = await import('@tracewire/core');
  const coreHttp = await import('@tracewire/core/http');
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
    outgoing: false,
    onError: () => {},
  });
  const http = coreHttp.httpServerTracing({ tracer });
  const headers = { host: '127.0.0.1:3000', 'user-agent': 'wrk/4.1' };
  const socket = { remoteAddress: '127.0.0.1', encrypted: false };

  /** What an adapter sees of a ServerResponse, and nothing more. */

  async function one(i) {
    const res = new FakeResponse();
    if (mode === 'bare') {
      await findUser(i);
      res.writeHead(200);
      res.writableFinished = true;
      res.emit('close');
      return;
    }
    const req = { method: 'GET', url: `/users/${i}`, headers, socket, httpVersion: '1.1' };
    const request = http.start(coreHttp.nodeRequestInfo(req));
    coreHttp.endWithNodeResponse(request, res, () => ({ route: '/users/:id' }));
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

  await drive(warmup);
  await tracer.flush();
  if (counted) {
    process.send({ type: 'warm' });
    await new Promise((resolve) => process.once('message', resolve));
  }
  const before = tracer.stats();
  const start = process.cpuUsage();
  await drive(requests);
  await tracer.flush();
  const cpu = process.cpuUsage(start);
  const after = tracer.stats();
  const dropped =
    Object.values(after.tracesDropped).reduce((a, b) => a + b, 0) -
    Object.values(before.tracesDropped).reduce((a, b) => a + b, 0);
  const young = v8
    .getHeapSpaceStatistics()
    .filter((space) => space.space_name.startsWith('new'))
    .reduce((sum, space) => sum + space.space_size, 0);
  globalThis.gc?.();
  process.send({
    type: 'ready',
    cpuUs: (cpu.user + cpu.system) / requests,
    dropped,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    youngMB: young / 2 ** 20,
    heapAfterGcMB: globalThis.gc ? process.memoryUsage().heapUsed / 2 ** 20 : undefined,
  });
  process.on('message', (message) => {
    if (message?.type === 'stop') process.exit(0);
  });
}

async function findUser(id) {
  return { id, name: `user-${id}`, plan: 'pro' };
}
