// Instructions per request of a whole app server (the framework, its variant's
// tracer, export included), counted with valgrind's callgrind. The timed
// benchmark moves by 20-40% between runs of the same build on a shared VM; a
// count moves by a few percent, so an A/B change to an adapter or a default can
// be seen in one run of each. The server is src/server.mjs unchanged, run
// single-threaded and `--predictable` under callgrind with instrumentation off;
// this process drives it with a fixed number of keep-alive requests: a warm-up,
// then instrumentation on for the counted ones, then off before it stops.
// `pnpm --filter @tracewire/bench count [--frameworks L] [--variants L] [--requests N]`.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FRAMEWORKS, TARGET_VARIANTS, VARIANTS } from './apps/shared.mjs';
import { listOption, parseArgs } from './lib/args.mjs';
import { startChild } from './lib/child.mjs';
import { drive, lastStartAtOrBelow } from './lib/drive.mjs';
import { hasTaskset, onPath, resolveNode } from './lib/env.mjs';
import { fmt, markdownTable } from './lib/stats.mjs';
import { targetRows, targetsFor } from './lib/targets.mjs';

const HELP = `Usage: pnpm --filter @tracewire/bench count [options]

Instructions per request of each app variant's server process, counted with
valgrind's callgrind (apt-get install valgrind); each variant runs once.

Options:
  --frameworks L            ${FRAMEWORKS.join(',')} (default all)
  --variants L              ${VARIANTS.join(',')}, or \`targets\`: all of them, what
                            the targets table needs (default bare,tracewire,tracewire-nocontext)
  --node X                  current (default) or 24: the node the servers run on
  --requests N              counted requests per variant (default 4000)
  --warmup N                uncounted requests first, so the JIT has settled (default 40000)
  --connections N           keep-alive connections (default 16)
  --tracewire-exporter X    http (default), noop or none, as for pnpm bench
  --nestjs-interceptor B    as for pnpm bench (default false)
  --express-router-errors B tracing({ routerErrors }) of the Express variants (default true)
  --profile N               also print each variant's N costliest functions (self instructions
                            per request), JavaScript named from V8's --perf-basic-prof map
  --node-flags "F"          node/V8 flags for every server, as for pnpm bench (say
                            "--no-allocation-site-pretenuring", to see what V8's pretenuring costs)
  --keep                    with --profile: keep each variant's callgrind output and perf map
                            (for callgrind_annotate --tree=caller, say), and print where
`;

const here = dirname(fileURLToPath(import.meta.url));
const opts = parseArgs(
  process.argv.slice(2),
  {
    frameworks: FRAMEWORKS.join(','),
    variants: 'bare,tracewire,tracewire-nocontext',
    requests: 4000,
    warmup: 40_000,
    connections: 16,
    tracewireExporter: 'http',
    nestjsInterceptor: 'false',
    expressRouterErrors: 'true',
    profile: 0,
    keep: false,
    node: 'current',
    nodeFlags: '',
  },
  HELP,
);
if (!(onPath('valgrind') && onPath('callgrind_control'))) {
  console.error('count: needs valgrind (apt-get install valgrind)');
  process.exit(2);
}
const frameworks = listOption(opts.frameworks, FRAMEWORKS, 'frameworks');
const variants =
  opts.variants === 'targets' ? TARGET_VARIANTS : listOption(opts.variants, VARIANTS, 'variants');
const node = resolveNode(String(opts.node));
const pin = hasTaskset();

const sink = startChild({ node: process.execPath, script: join(here, 'sink.mjs'), cpu: 0, pin });
const { port: sinkPort } = await sink.ready;
const rows = [];
const counts = {};
try {
  for (const framework of frameworks) {
    let bare;
    counts[framework] = {};
    for (const variant of variants) {
      const count = await countOne(framework, variant, `http://127.0.0.1:${sinkPort}/v1/traces`);
      counts[framework][variant] = count;
      if (variant === 'bare') bare = count;
      rows.push([
        framework,
        variant,
        fmt(count),
        bare !== undefined && variant !== 'bare' ? fmt(count - bare) : '',
      ]);
      console.error(`[count] ${framework}/${variant}: ${fmt(count)} instructions/request`);
    }
  }
} finally {
  await sink.stop();
}
console.log(
  `### Instructions per request, whole server, ${process.version} (callgrind, ${fmt(opts.requests)} counted after ${fmt(opts.warmup)}, ${opts.connections} connections)\n`,
);
console.log(markdownTable(['framework', 'variant', 'instructions/request', '+ over bare'], rows));
printTargets();

/**
 * The targets read off the counts, for the variants that were counted: a
 * CPU-bound server's throughput is bare's instructions over the variant's, so
 * `x bare` here is what the timed `x bare` tends to when nothing else (system
 * calls, wake-ups) takes time.
 */
function printTargets() {
  const byFramework = [];
  for (const [framework, c] of Object.entries(counts)) {
    if (c.bare === undefined) continue;
    byFramework.push([
      framework,
      targetsFor({
        added: (variant) => (c[variant] !== undefined ? c[variant] - c.bare : undefined),
        ratio: (variant) => (c[variant] !== undefined ? c.bare / c[variant] : undefined),
      }),
    ]);
  }
  if (byFramework.length === 0) return;
  const { header, rows } = targetRows(byFramework);
  console.log(
    `\n### The targets, by instructions, ${node.version} (added = variant - bare; x bare = bare / variant)\n`,
  );
  console.log(markdownTable(header, rows));
}

async function countOne(framework, variant, sinkUrl) {
  const config = {
    framework,
    variant,
    sinkUrl,
    tracewireExporter: opts.tracewireExporter,
    nestjsInterceptor: String(opts.nestjsInterceptor) === 'true',
    expressRouterErrors: String(opts.expressRouterErrors) !== 'false',
    // Under callgrind a server answers 50 to 100 times fewer requests per second
    // than it would, so the pipeline's 1 s delay would send a batch every few
    // requests where a busy server fills it to 128 first (and a loaded machine
    // makes it worse): that cost is the machine's slowness, not the tracer's. The
    // delay is scaled as the server is slowed, so batches fill by size, as the
    // floor's always do.
    scheduledDelayMs: 100_000,
  };
  const profile = opts.profile > 0 ? mkdtempSync(join(tmpdir(), 'tracewire-count-')) : undefined;
  const out = profile !== undefined ? join(profile, 'callgrind.out') : '/dev/null';
  const server = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${out}`,
      '--smc-check=all-non-file',
      node.bin,
      '--single-threaded',
      '--predictable',
      ...String(opts.nodeFlags).split(' ').filter(Boolean),
      ...(profile !== undefined ? ['--perf-basic-prof'] : []),
      join(here, 'server.mjs'),
      JSON.stringify(config),
    ],
    { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] },
  );
  let stderr = '';
  server.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  const ready = await new Promise((resolve, reject) => {
    server.on('message', (message) => {
      if (message?.type === 'ready') resolve(message);
    });
    exited.then(() =>
      reject(new Error(`count: ${framework}/${variant} exited:\n${stderr.slice(-2000)}`)),
    );
  });
  const url = `http://127.0.0.1:${ready.port}/users/42`;
  // One set of connections throughout: connections closing and opening inside
  // the window would be counted, and send V8 compiling Node's teardown paths.
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  await drive(url, agent, opts.warmup, opts.connections);
  const sinkBefore = await sink.call('stats');
  execFileSync('callgrind_control', ['--instr=on', String(server.pid)], { stdio: 'ignore' });
  await drive(url, agent, opts.requests, opts.connections);
  execFileSync('callgrind_control', ['--instr=off', String(server.pid)], { stdio: 'ignore' });
  const sinkAfter = await sink.call('stats');
  agent.destroy();
  const stats = await ask(server, 'stats');
  if (stats.tracer) {
    const dropped = Object.values(stats.tracer.tracesDropped).reduce((a, b) => a + b, 0);
    console.error(
      `[count] ${framework}/${variant}: ${fmt(stats.tracer.tracesExported)} traces exported, ${fmt(dropped)} dropped; ${fmt(sinkAfter.requests - sinkBefore.requests)} export requests in the counted window`,
    );
  }
  server.send({ type: 'stop' });
  await exited;
  const collected = /Collected : (\d+)/.exec(stderr);
  if (collected === null)
    throw new Error(`count: no count from callgrind:\n${stderr.slice(-2000)}`);
  if (profile !== undefined) {
    try {
      printProfile(`${framework}/${variant}`, out, `/tmp/perf-${server.pid}.map`);
    } finally {
      if (opts.keep) {
        console.error(
          `[count] ${framework}/${variant}: kept ${out} and /tmp/perf-${server.pid}.map`,
        );
      } else {
        rmSync(profile, { recursive: true, force: true });
        rmSync(`/tmp/perf-${server.pid}.map`, { force: true });
      }
    }
  }
  return Number(collected[1]) / opts.requests;
}

/**
 * The costliest functions of one run, by self instructions per counted request:
 * callgrind_annotate names V8's builtins and C++; compiled JavaScript appears
 * as bare addresses, named here from V8's perf map (`start size name` lines).
 */
function printProfile(label, out, mapFile) {
  const ranges = readFileSync(mapFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [start, size, ...name] = line.split(' ');
      return {
        start: Number.parseInt(start, 16),
        size: Number.parseInt(size, 16),
        name: name.join(' '),
      };
    })
    .sort((a, b) => a.start - b.start);
  const nameOf = (address) => {
    const range = ranges[lastStartAtOrBelow(ranges, address)];
    return range !== undefined && address < range.start + range.size ? range.name : undefined;
  };
  const text = execFileSync('callgrind_annotate', ['--threshold=100', out], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const totals = new Map();
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (match === null || match[2].includes('PROGRAM TOTALS')) continue;
    let name = match[2].replace(/\s*\[\/usr\/bin\/node\]$/, '');
    const jit = /^\?\?\?:0x([0-9a-f]+)/.exec(name);
    if (jit !== null) name = `JS ${nameOf(Number.parseInt(jit[1], 16)) ?? name}`;
    totals.set(name, (totals.get(name) ?? 0) + Number(match[1].replaceAll(',', '')));
  }
  const rows = [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, opts.profile)
    .map(([name, total]) => [fmt(total / opts.requests), name.slice(0, 140)]);
  console.log(`#### ${label}: self instructions per request\n`);
  console.log(markdownTable(['instructions', 'function'], rows));
  console.log('');
}

function ask(child, type) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message?.type !== type) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.send({ type });
  });
}
