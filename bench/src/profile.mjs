// Summarises V8 CPU profiles (from `pnpm bench --cpu-prof`): the functions with
// the most self time, and the @tracewire functions by inclusive time, with dist
// positions mapped back to TypeScript sources through the builds' source maps.
// Given the run's CPU time per request (`--cpu-us N`, from the bench output),
// shares of busy time are also shown as µs per request.
// `node src/profile.mjs results/profiles/<file>.cpuprofile [--cpu-us 120] [--top 25]`
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.mjs';
import { fmt, markdownTable } from './lib/stats.mjs';

const argv = process.argv.slice(2);
const files = [];
const flags = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i].startsWith('--')) {
    flags.push(argv[i]);
    if (!argv[i].includes('=') && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) {
      flags.push(argv[++i]);
    }
  } else files.push(argv[i]);
}
const opts = parseArgs(
  flags,
  { top: 25, filter: '@tracewire|packages/|\\.build/', cpuUs: 0 },
  'Usage: node src/profile.mjs <file.cpuprofile>... [--top N] [--filter REGEX] [--cpu-us N]',
);
if (files.length === 0) {
  console.error('profile: pass one or more .cpuprofile files');
  process.exit(2);
}
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const maps = new Map();

function sourceMapFor(file) {
  if (maps.has(file)) return maps.get(file);
  let map;
  const mapFile = `${file}.map`;
  if (existsSync(mapFile)) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
    } catch {}
  }
  maps.set(file, map);
  return map;
}

/** `file:line` of a call frame, in source terms when a map exists. */
function locate(frame) {
  let file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  let line = frame.lineNumber + 1;
  const map = file ? sourceMapFor(file) : undefined;
  if (map) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry?.originalSource) {
      file = entry.originalSource.startsWith('file://')
        ? fileURLToPath(entry.originalSource)
        : resolve(dirname(file), entry.originalSource);
      line = entry.originalLine + 1;
    }
  }
  if (file.startsWith('/')) file = relative(repoRoot, file);
  return `${file}:${line}`;
}

for (const path of files) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const keyOf = new Map();
  const key = (id) => {
    let k = keyOf.get(id);
    if (k === undefined) {
      const frame = byId.get(id).callFrame;
      k = `${frame.functionName || '(anonymous)'}\u0000${locate(frame)}`;
      keyOf.set(id, k);
    }
    return k;
  };
  const self = new Map();
  const inclusive = new Map();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const us = profile.timeDeltas[i] ?? 0;
    if (byId.get(id).callFrame.functionName === '(idle)') continue;
    busy += us;
    self.set(key(id), (self.get(key(id)) ?? 0) + us);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parentOf.get(at)) {
      const k = key(at);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const filter = new RegExp(opts.filter);
  const ours = ([k]) => filter.test(k.split('\u0000')[1]);
  const perRequest = (us) => (opts.cpuUs > 0 ? fmt((us / busy) * opts.cpuUs, 1) : '');
  const rowsOf = (entries) =>
    entries.slice(0, opts.top).map(([k, us]) => {
      const [fn, where] = k.split('\u0000');
      const row = [fmt((us / busy) * 100, 1), fn, where];
      if (opts.cpuUs > 0) row.splice(1, 0, perRequest(us));
      return row;
    });
  const header =
    opts.cpuUs > 0 ? ['% busy', 'µs/req', 'function', 'where'] : ['% busy', 'function', 'where'];
  const bySelf = [...self.entries()].sort((a, b) => b[1] - a[1]);
  const oursSelf = bySelf.filter(ours).reduce((a, [, us]) => a + us, 0);
  console.log(`## ${relative(process.cwd(), path)}\n`);
  console.log(
    `${fmt(busy / 1000)} ms busy (idle excluded); ${fmt((oursSelf / busy) * 100, 1)}% of it is self time in files matching /${opts.filter}/\n`,
  );
  console.log('Self time, all code:\n');
  console.log(markdownTable(header, rowsOf(bySelf)));
  console.log(`\nInclusive time of functions matching /${opts.filter}/:\n`);
  console.log(
    markdownTable(
      header,
      rowsOf([...inclusive.entries()].filter(ours).sort((a, b) => b[1] - a[1])),
    ),
  );
  console.log(`\nSelf time of functions matching /${opts.filter}/:\n`);
  console.log(markdownTable(header, rowsOf(bySelf.filter(ours))));
  console.log('');
}
