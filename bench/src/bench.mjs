// The overhead benchmark driver: `pnpm bench` at the repository root.
// Each app variant runs in its own process pinned to CPU 1, the load generator
// and the collector sink on CPU 0; variants alternate A B C ... A B C for several
// rounds, and ratios are taken per round (paired) before the median.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_VARIANTS, FRAMEWORKS, TARGET_VARIANTS, VARIANTS } from './apps/shared.mjs';
import { listOption, parseArgs } from './lib/args.mjs';
import { startChild } from './lib/child.mjs';
import { hasTaskset, machineInfo, resolveNode } from './lib/env.mjs';
import { pickLoadTool, runLoad } from './lib/load-runner.mjs';
import { fmt, markdownTable, max, median } from './lib/stats.mjs';
import { targetRows, targetsFor } from './lib/targets.mjs';

const HELP = `Usage: pnpm bench [options]     (from the repository root)

Measures GET /users/:id on each framework in each variant:
  bare                 the framework alone
  als                  + one AsyncLocalStorage.run() per request (the implicit-context floor)
  tracewire            tracing() with 100% sampling, httpExporter to a local sink
  tracewire-nocontext  the same with createTracer({ context: false }), explicit child span
  floor                (asked for by name) a minimal hand-written tracer exporting every request:
                       ids, times, method, route, status, one child span, JSON batches to the sink
  otel                 NodeTracerProvider + BatchSpanProcessor + instrumentations, OTLP/HTTP to the sink

Options:
  --duration S      measured seconds per run (default 5)
  --warmup S        warm-up seconds before each measured run, discarded (default 2)
  --rounds N        rounds of A B C ... alternation (default 3)
  --frameworks L    comma list of ${FRAMEWORKS.join(',')} (default all)
  --variants L      comma list of ${VARIANTS.join(',')} (default all but floor; "targets": all of them; bare is always added)
  --node L          comma list: current (the node running pnpm), 24 (the node24 devDependency),
                    or a path to a node binary (default current)
  --connections N   concurrent connections of the load generator (default 50)
  --load T          auto | wrk | autocannon (auto: wrk when installed, else autocannon)
  --no-pin          do not pin processes with taskset (server CPU 1, load + sink CPU 0)
  --node-flags "F"  node/V8 flags for every server process, e.g. "--max-semi-space-size=16"
  --cpu-prof        write a V8 CPU profile of every server process to results/profiles/
  --tracewire-exporter X   http (default) | noop (traces discarded unserialised) |
                    none (no exporter: nothing recorded); noop and none split the cost apart
  --nestjs-interceptor B   false (default: the module's global guard) | true:
                    TracingModule.forRoot({ interceptor: true }), the global interceptor
  --out FILE        results JSON (default results/bench-<node>-<time>.json)
`;

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = resolve(here, '..');
const require = createRequire(import.meta.url);

const opts = parseArgs(
  process.argv.slice(2),
  {
    duration: 5,
    warmup: 2,
    rounds: 3,
    frameworks: FRAMEWORKS.join(','),
    variants: DEFAULT_VARIANTS.join(','),
    node: 'current',
    connections: 50,
    load: 'auto',
    pin: true,
    cpuProf: false,
    tracewireExporter: 'http',
    nestjsInterceptor: 'false',
    out: '',
    nodeFlags: '',
  },
  HELP,
);
const frameworks = listOption(opts.frameworks, FRAMEWORKS, 'frameworks');
let variants =
  opts.variants === 'targets' ? TARGET_VARIANTS : listOption(opts.variants, VARIANTS, 'variants');
if (!variants.includes('bare')) variants = ['bare', ...variants];
variants = VARIANTS.filter((v) => variants.includes(v));
const nodes = listOption(opts.node, undefined, 'node').map(resolveNode);
const tool = pickLoadTool(opts.load);
const pin = opts.pin && hasTaskset() && os.cpus().length >= 2;
if (opts.pin && !pin)
  console.error('bench: no taskset or fewer than 2 CPUs; processes are not pinned');
if (opts.duration <= 0 || opts.rounds < 1) {
  console.error('bench: --duration must be > 0 and --rounds >= 1');
  process.exit(2);
}
if (!['true', 'false'].includes(String(opts.nestjsInterceptor))) {
  console.error('bench: --nestjs-interceptor must be true or false');
  process.exit(2);
}
const nestjsInterceptor = String(opts.nestjsInterceptor) === 'true';
if (!['http', 'noop', 'none'].includes(opts.tracewireExporter)) {
  console.error('bench: --tracewire-exporter must be http, noop or none');
  process.exit(2);
}
const SERVER_CPU = 1;
const LOAD_CPU = 0;

const ADAPTERS = {
  express: '@tracewire/express',
  koa: '@tracewire/koa',
  hono: '@tracewire/hono',
  nestjs: '@tracewire/nestjs',
};

/** A tracewire variant runs only when its adapter's dist is built. */
function missingBuild(framework, variant) {
  if (!variant.startsWith('tracewire')) return undefined;
  for (const name of ['@tracewire/core', ADAPTERS[framework]]) {
    let dir;
    try {
      dir = dirname(require.resolve(`${name}/package.json`));
    } catch {
      return `${name} is not installed`;
    }
    if (!existsSync(join(dir, 'dist', 'index.js'))) {
      return `${name} has no dist/ (run pnpm --filter ${name} build)`;
    }
  }
  return undefined;
}

const started = new Date();
const loadAtStart = os.loadavg()[0];
if (loadAtStart > 0.5) {
  console.error(
    `bench: the machine is busy (1-minute load average ${loadAtStart.toFixed(2)}); numbers will be noisy`,
  );
}
const runs = [];
const skipped = [];
const failures = [];
const profileDir = join(benchDir, 'results', 'profiles');
if (opts.cpuProf) mkdirSync(profileDir, { recursive: true });

const perRun = opts.warmup + opts.duration + 2;
const planned = nodes.length * frameworks.length * variants.length * opts.rounds * perRun;
console.error(
  `bench: ${tool}, ${pin ? 'pinned (server CPU 1, load+sink CPU 0)' : 'unpinned'}, ` +
    `${opts.connections} connections, ${opts.warmup}s warm-up + ${opts.duration}s x ${opts.rounds} rounds; ` +
    `about ${Math.ceil(planned / 60)} min`,
);

for (const node of nodes) {
  const sink = startChild({
    node: process.execPath,
    script: join(here, 'sink.mjs'),
    cpu: LOAD_CPU,
    pin,
  });
  const { port: sinkPort } = await sink.ready;
  const sinkUrl = `http://127.0.0.1:${sinkPort}/v1/traces`;
  try {
    for (const framework of frameworks) {
      const active = variants.filter((variant) => {
        const why = missingBuild(framework, variant);
        if (why) skipped.push({ node: node.label, framework, variant, why });
        return !why;
      });
      for (let round = 1; round <= opts.rounds; round++) {
        for (const variant of active) {
          let run;
          try {
            run = await measure({ node, framework, variant, round, sinkUrl, sink });
          } catch (error) {
            // One broken run (a dist being rebuilt, a crash) is reported, not fatal.
            failures.push({ node: node.label, framework, variant, round, error: String(error) });
            console.error(
              `[${node.label} ${framework} ${round}/${opts.rounds}] ${variant}: FAILED ${error}`,
            );
            continue;
          }
          runs.push(run);
          console.error(
            `[${node.label} ${framework} ${round}/${opts.rounds}] ${variant.padEnd(19)} ` +
              `${fmt(run.rps).padStart(7)} req/s  p50 ${fmt(run.p50, 2)} ms  p99 ${fmt(run.p99, 2)} ms  ` +
              `${fmt(run.cpuUsPerRequest, 1)} µs CPU/req  RSS ${fmt(run.peakRssMB, 0)} MB (young ${fmt(run.youngMB, 0)})` +
              (run.problems ? `  !! ${run.problems}` : ''),
          );
        }
      }
    }
  } finally {
    await sink.stop();
  }
}

for (const s of skipped) console.error(`bench: skipped ${s.framework}/${s.variant}: ${s.why}`);

const summary = summarise(runs);
const markdown = renderMarkdown(summary);
console.log(markdown);

const results = {
  date: started.toISOString(),
  config: {
    duration: opts.duration,
    warmup: opts.warmup,
    rounds: opts.rounds,
    connections: opts.connections,
    load: tool,
    tracewireExporter: opts.tracewireExporter,
    nestjsInterceptor,
    pinned: pin,
    frameworks,
    variants,
  },
  machine: {
    ...machineInfo(nodes),
    loadAverage1mAtStart: loadAtStart,
    loadAverage1mAtEnd: os.loadavg()[0],
  },
  skipped,
  failures,
  runs,
  summary,
  markdown,
};
const stamp = started.toISOString().replace(/[:.]/g, '-');
const out = opts.out
  ? resolve(process.env.INIT_CWD ?? process.cwd(), opts.out)
  : join(benchDir, 'results', `bench-${nodes.map((n) => n.label).join('-')}-${stamp}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.error(`bench: results written to ${out}`);
if (failures.length) process.exitCode = 1;

async function measure({ node, framework, variant, round, sinkUrl, sink }) {
  const execArgv = opts.cpuProf
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${profileDir}`,
        `--cpu-prof-name=${node.label}-${framework}-${variant}-r${round}.cpuprofile`,
      ]
    : [];
  if (opts.nodeFlags) execArgv.push(...String(opts.nodeFlags).split(' ').filter(Boolean));
  const server = startChild({
    node: node.bin,
    script: join(here, 'server.mjs'),
    args: [
      JSON.stringify({
        framework,
        variant,
        sinkUrl,
        tracewireExporter: opts.tracewireExporter,
        nestjsInterceptor,
      }),
    ],
    cpu: SERVER_CPU,
    pin,
    execArgv,
  });
  try {
    const { port } = await server.ready;
    const url = `http://127.0.0.1:${port}/users/42`;
    const probe = await fetch(url);
    const body = await probe.text();
    if (probe.status !== 200 || !body.includes('user-42')) {
      throw new Error(`${framework}/${variant}: GET /users/42 answered ${probe.status} ${body}`);
    }
    const load = (duration) =>
      runLoad({
        tool,
        url,
        duration,
        connections: opts.connections,
        cpu: LOAD_CPU,
        pin,
        node: process.execPath,
      });
    if (opts.warmup > 0) await load(opts.warmup);
    await server.call('mark');
    const sinkBefore = await sink.call('stats');
    const result = await load(opts.duration);
    const stats = await server.call('stats');
    const sinkAfter = await sink.call('stats');
    const cpuUs = stats.cpuUserUs + stats.cpuSystemUs;
    const problems = [];
    if (result.non2xx) problems.push(`${result.non2xx} non-2xx`);
    if (result.errors) problems.push(`${result.errors} errors`);
    if (result.timeouts) problems.push(`${result.timeouts} timeouts`);
    return {
      node: node.label,
      nodeVersion: node.version,
      framework,
      variant,
      round,
      requests: result.requests,
      seconds: result.seconds,
      rps: result.rps,
      p50: result.latencyMs.p50,
      p99: result.latencyMs.p99,
      cpuUs,
      cpuUsPerRequest: result.requests > 0 ? cpuUs / result.requests : Number.NaN,
      cpuUtilisation: cpuUs / 1000 / stats.wallMs,
      peakRssMB: stats.maxRssBytes / 2 ** 20,
      rssMB: stats.rss / 2 ** 20,
      youngMB: stats.youngBytes / 2 ** 20,
      heapUsedMB: stats.heapUsed / 2 ** 20,
      // What reached the collector during the window (the tail of the previous batch included).
      exportBytesPerRequest: (sinkAfter.bytes - sinkBefore.bytes) / result.requests,
      exportPosts: sinkAfter.requests - sinkBefore.requests,
      tracer: stats.tracer,
      problems: problems.length ? problems.join(', ') : undefined,
    };
  } finally {
    await server.stop();
  }
}

function summarise(allRuns) {
  const out = [];
  const key = (r) => `${r.node}|${r.framework}`;
  const groups = new Map();
  for (const r of allRuns) {
    if (!groups.has(key(r))) groups.set(key(r), []);
    groups.get(key(r)).push(r);
  }
  for (const group of groups.values()) {
    const { node, nodeVersion, framework } = group[0];
    const byRound = (variant) => {
      const m = new Map();
      for (const r of group) if (r.variant === variant) m.set(r.round, r);
      return m;
    };
    const bare = byRound('bare');
    const rows = {};
    for (const variant of variants) {
      const mine = byRound(variant);
      if (mine.size === 0) continue;
      const list = [...mine.values()];
      const paired = [...mine.entries()].filter(([round]) => bare.has(round));
      rows[variant] = {
        rps: median(list.map((r) => r.rps)),
        p50: median(list.map((r) => r.p50)),
        p99: median(list.map((r) => r.p99)),
        peakRssMB: max(list.map((r) => r.peakRssMB)),
        youngMB: max(list.map((r) => r.youngMB)),
        cpuUsPerRequest: median(list.map((r) => r.cpuUsPerRequest)),
        ratioToBare: median(paired.map(([round, r]) => r.rps / bare.get(round).rps)),
        addedCpuUsPerRequest: median(
          paired.map(([round, r]) => r.cpuUsPerRequest - bare.get(round).cpuUsPerRequest),
        ),
        rounds: list.length,
        problems: list.some((r) => r.problems)
          ? list.map((r) => r.problems).filter(Boolean)
          : undefined,
      };
    }
    out.push({ node, nodeVersion, framework, variants: rows, targets: targetsOf(rows) });
  }
  return out;
}

/** The targets (lib/targets.mjs) by added CPU per request and throughput over bare. */
function targetsOf(rows) {
  return targetsFor({
    added: (variant) =>
      variant === 'bare' ? 0 : rows[variant] ? rows[variant].addedCpuUsPerRequest : undefined,
    ratio: (variant) => (variant === 'bare' ? 1 : rows[variant]?.ratioToBare),
  });
}

function renderMarkdown(summaryRows) {
  const parts = [];
  const info = machineInfo(nodes);
  for (const node of nodes) {
    const mine = summaryRows.filter((s) => s.node === node.label);
    if (mine.length === 0) continue;
    parts.push(
      `### Node ${node.version}: ${tool}, ${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s x ${opts.rounds} rounds, ` +
        `${pin ? 'server pinned to CPU 1, load and sink to CPU 0' : 'unpinned'} (${info.cpuModel}, ${info.cores} cores)`,
    );
    const rows = [];
    for (const s of mine) {
      for (const [variant, v] of Object.entries(s.variants)) {
        rows.push([
          s.framework,
          variant,
          fmt(v.rps),
          variant === 'bare' ? '1.00' : fmt(v.ratioToBare, 2),
          fmt(v.p50, 2),
          fmt(v.p99, 2),
          fmt(v.peakRssMB),
          fmt(v.youngMB),
          fmt(v.cpuUsPerRequest, 1),
          variant === 'bare' ? '' : fmt(v.addedCpuUsPerRequest, 1),
        ]);
      }
    }
    parts.push(
      markdownTable(
        [
          'framework',
          'variant',
          'req/s',
          'x bare',
          'p50 ms',
          'p99 ms',
          'peak RSS MB',
          'young gen MB',
          'CPU µs/req',
          '+CPU µs/req',
        ],
        rows,
      ),
    );
    const { header, rows: targetTable } = targetRows(mine.map((s) => [s.framework, s.targets]));
    parts.push(markdownTable(header, targetTable));
  }
  if (failures.length) {
    parts.push(
      failures
        .map((f) => `- failed ${f.node} ${f.framework}/${f.variant} round ${f.round}: ${f.error}`)
        .join('\n'),
    );
  }
  if (skipped.length) {
    const seen = new Set();
    const lines = [];
    for (const s of skipped) {
      const line = `- skipped ${s.framework}/${s.variant}: ${s.why}`;
      if (!seen.has(line)) lines.push(line);
      seen.add(line);
    }
    parts.push(lines.join('\n'));
  }
  return parts.join('\n\n');
}
