// What the machine charges for a microsecond of work on the request path.
// A plain node:http server answers after N µs of synchronous busy work; the
// CPU it spends per request, measured exactly as `pnpm bench` measures it,
// grows by more than N, because a slower server leaves the load generator idle
// between responses and every response then pays for waking it (on this VM, a
// cross-CPU wakeup is a VM exit). The ratio converts the bench's "+CPU µs/req"
// into the JavaScript time that caused it.
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listOption, parseArgs } from './lib/args.mjs';
import { startChild } from './lib/child.mjs';
import { hasTaskset, resolveNode } from './lib/env.mjs';
import { pickLoadTool, runLoad } from './lib/load-runner.mjs';
import { fmt, markdownTable, median } from './lib/stats.mjs';

const HELP = `Usage: pnpm --filter @tracewire/bench calibrate [options]

Plain node:http with N µs of synchronous work per request, under the same load and
pinning as pnpm bench: how much server CPU per request N µs of work really costs.

Options:
  --work L          comma list of µs of work per request (default 0,2,5,10,20; 0 is always added)
  --duration S      measured seconds per run (default 4)
  --warmup S        warm-up seconds per run (default 1)
  --rounds N        rounds of alternation (default 3)
  --node X          current, 24, or a path (default current)
  --connections N   (default 50)
  --load T          auto | wrk | autocannon (default auto)
  --no-pin          do not pin with taskset
`;

const opts = parseArgs(
  process.argv.slice(2),
  {
    work: '0,2,5,10,20',
    duration: 4,
    warmup: 1,
    rounds: 3,
    node: 'current',
    connections: 50,
    load: 'auto',
    pin: true,
  },
  HELP,
);
const works = [...new Set([0, ...listOption(opts.work, undefined, 'work').map(Number)])].sort(
  (a, b) => a - b,
);
if (works.some((w) => !Number.isFinite(w) || w < 0)) {
  console.error('calibrate: --work takes non-negative numbers of µs');
  process.exit(2);
}
const node = resolveNode(opts.node);
const tool = pickLoadTool(opts.load);
const pin = opts.pin && hasTaskset() && os.cpus().length >= 2;
const script = join(dirname(fileURLToPath(import.meta.url)), 'calibrate-server.mjs');

const runs = [];
for (let round = 1; round <= opts.rounds; round++) {
  for (const work of works) {
    const server = startChild({ node: node.bin, script, args: [String(work)], cpu: 1, pin });
    try {
      const { port } = await server.ready;
      const load = (duration) =>
        runLoad({
          tool,
          url: `http://127.0.0.1:${port}/`,
          duration,
          connections: opts.connections,
          cpu: 0,
          pin,
          node: process.execPath,
        });
      if (opts.warmup > 0) await load(opts.warmup);
      await server.call('mark');
      const result = await load(opts.duration);
      const { cpuUs } = await server.call('stats');
      const run = { round, work, rps: result.rps, cpuPerRequest: cpuUs / result.requests };
      runs.push(run);
      console.error(
        `[${node.label} ${round}/${opts.rounds}] +${work} µs work  ${fmt(run.rps)} req/s  ${fmt(run.cpuPerRequest, 1)} µs CPU/req`,
      );
    } finally {
      await server.stop();
    }
  }
}

const rows = works.map((work) => {
  const mine = runs.filter((r) => r.work === work);
  const added = mine.map((r) => {
    const base = runs.find((b) => b.round === r.round && b.work === 0);
    return r.cpuPerRequest - base.cpuPerRequest;
  });
  const addedMedian = median(added);
  return [
    `${work}`,
    fmt(median(mine.map((r) => r.rps))),
    fmt(median(mine.map((r) => r.cpuPerRequest)), 1),
    work === 0 ? '' : fmt(addedMedian, 1),
    work === 0 ? '' : fmt(addedMedian / work, 2),
  ];
});
console.log(
  `### ${node.label} (${node.version}): ${tool}, ${opts.connections} connections, ${opts.warmup}s + ${opts.duration}s x ${opts.rounds} rounds, ${pin ? 'server CPU 1, load CPU 0' : 'unpinned'}\n`,
);
console.log(
  markdownTable(
    ['µs of work per request', 'req/s', 'CPU µs/req', '+CPU µs/req', '+CPU / work'],
    rows,
  ),
);
