// Inline-cache misses per request of one app variant's server: the server runs
// with V8's --log-ic, takes a warm-up, then a measured run of keep-alive GETs,
// and every IC state change V8 logged during the measured run is attributed to
// the compiled function it happened in. On Express each request and response
// gets a new prototype, so each property name read from them misses (about
// 2,000 instructions each under callgrind); this says which reads those are.
// `pnpm --filter @tracewire/bench ics [--framework F] [--variant V] [--requests N] [--ours]`.
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FRAMEWORKS, VARIANTS } from './apps/shared.mjs';
import { parseArgs } from './lib/args.mjs';
import { startChild } from './lib/child.mjs';
import { drive, lastStartAtOrBelow } from './lib/drive.mjs';
import { hasTaskset } from './lib/env.mjs';
import { fmt, markdownTable } from './lib/stats.mjs';

const HELP = `Usage: pnpm --filter @tracewire/bench ics [options]

Inline-cache misses per request of one app variant's server (V8 --log-ic), by function.

Options:
  --framework F    ${FRAMEWORKS.join(' | ')} (default express)
  --variant V      ${VARIANTS.join(' | ')} (default tracewire-nocontext)
  --requests N     measured requests, after as many uncounted (default 20000)
  --top N          rows to print (default 40)
  --ours           only misses in @tracewire code (packages/)
`;

const here = dirname(fileURLToPath(import.meta.url));
const opts = parseArgs(
  process.argv.slice(2),
  {
    framework: 'express',
    variant: 'tracewire-nocontext',
    requests: 20_000,
    top: 40,
    ours: false,
  },
  HELP,
);
if (!FRAMEWORKS.includes(opts.framework) || !VARIANTS.includes(opts.variant)) {
  console.error(`ics: unknown framework/variant ${opts.framework}/${opts.variant}`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'tracewire-ics-'));
const log = join(dir, 'v8.log');
const sink = startChild({
  node: process.execPath,
  script: join(here, 'sink.mjs'),
  cpu: 0,
  pin: hasTaskset(),
});
try {
  const { port: sinkPort } = await sink.ready;
  const { misses, total } = await measure(`http://127.0.0.1:${sinkPort}/v1/traces`);
  const rows = [...misses]
    .filter(([site]) => !opts.ours || site.includes('/packages/'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, opts.top)
    .map(([site, n]) => [fmt(n / opts.requests, 2), site]);
  console.log(
    `### ${opts.framework}/${opts.variant}: inline-cache misses per request, ${process.version} (${fmt(opts.requests)} measured after ${fmt(opts.requests)})\n`,
  );
  console.log(`${fmt(total / opts.requests, 1)} per request in all.\n`);
  console.log(
    markdownTable(['per request', 'function: IC, property, state before -> after'], rows),
  );
} finally {
  await sink.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function measure(sinkUrl) {
  const config = { framework: opts.framework, variant: opts.variant, sinkUrl };
  const server = spawn(
    process.execPath,
    [
      '--log-ic',
      `--logfile=${log}`,
      '--no-logfile-per-isolate',
      join(here, 'server.mjs'),
      JSON.stringify(config),
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const exited = new Promise((resolve) => server.once('exit', resolve));
  const { port } = await new Promise((resolve, reject) => {
    server.on('message', (message) => {
      if (message?.type === 'ready') resolve(message);
    });
    exited.then(() => reject(new Error(`ics: ${opts.framework}/${opts.variant} exited`)));
  });
  const url = `http://127.0.0.1:${port}/users/42`;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  await drive(url, agent, opts.requests, 16);
  // V8 writes the log as it goes; what is in the file now is the warm-up.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const from = statSync(log).size;
  await drive(url, agent, opts.requests, 16);
  agent.destroy();
  server.send({ type: 'stop' });
  await exited;
  return attribute(from);
}

/** IC events after byte `from`, by the compiled function (code-creation entries) they fell in. */
async function attribute(from) {
  const codes = [];
  const events = [];
  let offset = 0;
  const lines = createInterface({ input: createReadStream(log) });
  for await (const line of lines) {
    const at = offset;
    offset += Buffer.byteLength(line) + 1;
    if (line.startsWith('code-creation,')) {
      // code-creation,type,kind,time,address,size,name...
      const parts = line.split(',');
      codes.push({
        start: Number.parseInt(parts[4], 16),
        size: Number(parts[5]),
        name: parts
          .slice(6)
          .join(',')
          .replace(/,0x[0-9a-f]+,[~*^]?$/, ''),
        seq: codes.length,
      });
    } else if (at >= from && /^(Keyed)?(Load|Store|Has|Define\w*)(Global)?IC,/.test(line)) {
      // type,pc,time,line,column,old,new,map,key,modifier,reason
      const parts = line.split(',');
      events.push({
        pc: Number.parseInt(parts[1], 16),
        what: `${parts[0]} ${parts[8]} ${parts[5]}->${parts[6]}`,
        seq: codes.length,
      });
    }
  }
  const byStart = codes.slice().sort((a, b) => a.start - b.start || a.seq - b.seq);
  const misses = new Map();
  for (const event of events) {
    const site = `${codeAt(byStart, event.pc, event.seq) ?? '?'}: ${event.what}`;
    misses.set(site, (misses.get(site) ?? 0) + 1);
  }
  return { misses, total: events.length };
}

/** The newest code object created before the event that covers `pc`. */
function codeAt(byStart, pc, before) {
  const hi = lastStartAtOrBelow(byStart, pc);
  let best;
  for (let i = hi; i >= 0 && i > hi - 64; i--) {
    const code = byStart[i];
    if (pc < code.start + code.size && code.seq < before && (!best || code.seq > best.seq)) {
      best = code;
    }
  }
  return best?.name;
}
