import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCore } from './helpers/bundle-core';
import { type Collector, startCollector } from './helpers/collector';

/*
 * Edge runtimes (Cloudflare's workerd) refuse timers, AbortControllers, random
 * bytes and I/O at global scope, and do not keep a timer alive between
 * requests. A child process counts what loading core and constructing a
 * tracer and a pipeline at module scope does, then checks that flush()
 * delivers with timers that never fire.
 */

const run = promisify(execFile);
let dir: string;
let bundle: string;
let collector: Collector;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tracewire-scope-'));
  bundle = (await bundleCore(dir)).cjs;
  collector = await startCollector();
}, 60_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await collector.close();
});

const COUNTING = `
const counts = { timers: 0, abortControllers: 0, randomBytes: 0, io: 0 };
const count = (object, key, counter) => {
  const original = object[key];
  object[key] = function (...args) {
    counts[counter]++;
    return original.apply(this, args);
  };
};
for (const key of ['setTimeout', 'setInterval', 'setImmediate']) count(globalThis, key, 'timers');
const NativeAbortController = globalThis.AbortController;
globalThis.AbortController = class extends NativeAbortController {
  constructor() {
    super();
    counts.abortControllers++;
  }
};
const crypto = require('node:crypto');
for (const key of ['randomFillSync', 'randomBytes', 'randomUUID', 'getRandomValues', 'randomFill']) {
  count(crypto, key, 'randomBytes');
}
count(globalThis.crypto, 'getRandomValues', 'randomBytes');
count(require('node:net').Socket.prototype, 'connect', 'io');
count(require('node:http'), 'request', 'io');
// Node's own loader reads the bundle with readFileSync; anything else is I/O of ours.
const fs = require('node:fs');
for (const key of ['readFileSync', 'readFile', 'openSync', 'open', 'writeFileSync', 'statSync']) {
  const original = fs[key];
  fs[key] = function (path, ...rest) {
    if (String(path) !== process.env.BUNDLE) counts.io++;
    return original.call(this, path, ...rest);
  };
}
`;

describe('at module scope', () => {
  it('loading core and constructing a tracer and a pipeline starts no timer, AbortController, random bytes or I/O', async () => {
    const file = join(dir, 'construct.cjs');
    writeFileSync(
      file,
      `${COUNTING}
const tw = require(${JSON.stringify(bundle)});
const exporter = tw.httpExporter({ url: process.env.COLLECTOR_URL });
const tracer = tw.createTracer({ serviceName: 'edge', exporter, maxTracesPerSecond: 50, tail: { slowerThanMs: 1000 } });
new tw.ExportPipeline({ exporter });
tracer.stats();
const atConstruction = { ...counts };
// A positive control: the counters do see what a trace does.
tracer.startTrace('first request').end();
console.log(JSON.stringify({ atConstruction, afterTrace: counts }));
`,
    );
    const { stdout } = await run(process.execPath, [file], {
      env: { ...process.env, COLLECTOR_URL: collector.url, BUNDLE: bundle },
      timeout: 15_000,
    });
    const { atConstruction, afterTrace } = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(atConstruction).toEqual({ timers: 0, abortControllers: 0, randomBytes: 0, io: 0 });
    expect(afterTrace.randomBytes).toBeGreaterThan(0);
    expect(afterTrace.timers).toBeGreaterThan(0);
  });

  it('flush() delivers what is queued even when no timer ever fires', async () => {
    const file = join(dir, 'no-timers.cjs');
    writeFileSync(
      file,
      `const tw = require(${JSON.stringify(bundle)});
const tracer = tw.createTracer({
  serviceName: 'edge',
  exporter: tw.httpExporter({ url: process.env.COLLECTOR_URL }),
});
// As between requests on an edge runtime: timers are accepted and never run.
const never = () => ({ ref() { return this; }, unref() { return this; }, hasRef: () => false });
globalThis.setTimeout = never;
globalThis.setImmediate = never;
globalThis.setInterval = never;
(async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const trace = tracer.startTrace('GET /');
    trace.end();
    ids.push(trace.id);
  }
  await tracer.flush();
  console.log(JSON.stringify({ ids, exported: tracer.stats().tracesExported }));
})();
`,
    );
    const { stdout } = await run(process.execPath, [file], {
      env: { ...process.env, COLLECTOR_URL: collector.url },
      timeout: 15_000,
    });
    const { ids, exported } = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(exported).toBe(3);
    expect(collector.acceptedTraceIds()).toEqual(expect.arrayContaining(ids));
  });
});
