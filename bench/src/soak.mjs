// The soak: a tracewire Express app under a long run of requests, once with a
// healthy collector and once with the collector down (a closed port), reporting
// RSS at start and end (memory must stay bounded while every export fails) and
// throughput against the healthy run.
// `pnpm --filter @tracewire/bench soak [--requests N | --quick]`.
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.mjs';
import { startChild } from './lib/child.mjs';
import { hasTaskset, machineInfo, resolveNode } from './lib/env.mjs';
import { runLoad } from './lib/load-runner.mjs';
import { fmt, markdownTable } from './lib/stats.mjs';

const HELP = `Usage: pnpm --filter @tracewire/bench soak [options]
  --requests N      requests per run (default 1000000)
  --quick           20000 requests per run (for CI)
  --connections N   concurrent connections (default 50)
  --node X          current | 24 | path to a node binary (default current)
  --modes L         healthy,dead (default both)
  --framework F     express (default), koa, hono or nestjs
  --no-pin          do not pin the server (CPU 1) and the load (CPU 0)
  --out FILE        results JSON (default results/soak-<node>-<time>.json)`;

const opts = parseArgs(
  process.argv.slice(2),
  {
    requests: 1_000_000,
    quick: false,
    connections: 50,
    node: 'current',
    modes: 'healthy,dead',
    framework: 'express',
    pin: true,
    out: '',
  },
  HELP,
);
if (opts.quick) opts.requests = 20_000;
if (!Number.isInteger(opts.requests) || opts.requests < 1) {
  console.error('soak: --requests must be a positive integer');
  process.exit(2);
}
const modes = opts.modes.split(',').filter((m) => m === 'healthy' || m === 'dead');
const here = dirname(fileURLToPath(import.meta.url));
const node = resolveNode(opts.node);
const pin = opts.pin && hasTaskset() && os.cpus().length >= 2;
const MB = 2 ** 20;

/** A port nothing listens on: bound once by us, then closed. */
async function closedPort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function soak(mode) {
  let sink;
  let sinkUrl;
  if (mode === 'healthy') {
    sink = startChild({ node: process.execPath, script: join(here, 'sink.mjs'), cpu: 0, pin });
    sinkUrl = `http://127.0.0.1:${(await sink.ready).port}/v1/traces`;
  } else {
    sinkUrl = `http://127.0.0.1:${await closedPort()}/v1/traces`;
  }
  const server = startChild({
    node: node.bin,
    script: join(here, 'server.mjs'),
    args: [JSON.stringify({ framework: opts.framework, variant: 'tracewire', sinkUrl })],
    cpu: 1,
    pin,
  });
  try {
    const { port } = await server.ready;
    const { rss: rssStart } = await server.call('mark');
    await server.call('sample-rss', { everyMs: 1000 });
    console.error(
      `soak ${mode}: ${fmt(opts.requests)} requests, collector ${mode === 'dead' ? 'down' : 'up'}...`,
    );
    const load = await runLoad({
      tool: 'autocannon',
      url: `http://127.0.0.1:${port}/users/42`,
      amount: opts.requests,
      connections: opts.connections,
      cpu: 0,
      pin,
      node: process.execPath,
    });
    const stats = await server.call('stats');
    const samples = stats.rssSamples.map((s) => s.rss);
    const half = samples.length > 4 ? samples[Math.floor(samples.length / 2)] : rssStart;
    const result = {
      mode,
      requests: load.requests,
      seconds: load.seconds,
      rps: load.rps,
      p99: load.latencyMs.p99,
      non2xx: load.non2xx,
      errors: load.errors,
      rssStartMB: rssStart / MB,
      rssHalfMB: half / MB,
      rssEndMB: stats.rss / MB,
      peakRssMB: stats.maxRssBytes / MB,
      secondHalfGrowthMB: (stats.rss - half) / MB,
      tracer: stats.tracer,
      rssSamplesMB: samples.map((s) => Math.round((s / MB) * 10) / 10),
    };
    console.error(
      `soak ${mode}: ${fmt(result.rps)} req/s, RSS ${fmt(result.rssStartMB)} -> ${fmt(result.rssEndMB)} MB (peak ${fmt(result.peakRssMB)} MB)`,
    );
    return result;
  } finally {
    await server.stop();
    await sink?.stop();
  }
}

const results = [];
for (const mode of modes) results.push(await soak(mode));

const healthy = results.find((r) => r.mode === 'healthy');
const rows = results.map((r) => {
  const dropped = r.tracer
    ? Object.values(r.tracer.tracesDropped ?? {}).reduce((a, b) => a + b, 0)
    : Number.NaN;
  return [
    r.mode === 'dead' ? 'collector down' : 'collector up',
    fmt(r.requests),
    fmt(r.rps),
    healthy ? fmt(r.rps / healthy.rps, 2) : 'n/a',
    fmt(r.p99, 1),
    fmt(r.rssStartMB),
    fmt(r.rssHalfMB),
    fmt(r.rssEndMB),
    fmt(r.peakRssMB),
    fmt(r.tracer?.tracesExported),
    fmt(dropped),
    r.non2xx || r.errors ? `${r.non2xx} non-2xx, ${r.errors} errors` : 'none',
  ];
});
const markdown =
  `### Soak, Node ${node.version}: ${fmt(opts.requests)} requests per run, ${opts.connections} connections, ${opts.framework} + tracewire\n\n` +
  markdownTable(
    [
      'collector',
      'requests',
      'req/s',
      'x healthy',
      'p99 ms',
      'RSS start MB',
      'RSS half-way MB',
      'RSS end MB',
      'peak RSS MB',
      'traces exported',
      'traces dropped',
      'failed requests',
    ],
    rows,
  );
console.log(markdown);

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = opts.out
  ? resolve(process.env.INIT_CWD ?? process.cwd(), opts.out)
  : join(here, '..', 'results', `soak-${node.label}-${stamp}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), machine: machineInfo([node]), config: opts, results, markdown }, null, 2)}\n`,
);
console.error(`soak: results written to ${out}`);
