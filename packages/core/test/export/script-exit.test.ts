import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCore } from './helpers/bundle-core';
import { type Collector, closedPortUrl, startCollector } from './helpers/collector';

/*
 * Scripts and CLIs: a real child process (ESM and CommonJS) whose last tracing
 * call is awaited must run the line after it, exit 0, and have delivered the
 * trace (healthy collector) or given up within `flushTimeoutMs` (no collector).
 * The children load core's current sources, bundled once by esbuild.
 */

const ID = '0123456789abcdef0123456789abcdef';
let dir: string;
let bundles: { esm: string; cjs: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tracewire-script-'));
  bundles = await bundleCore(dir);
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The tracing calls a script ends with; each sets `id` to the trace it sent. */
const endings = {
  'await trace.end()': `const trace = tracer.startTrace('job');
    trace.startSpan('step').end();
    await trace.end();
    const id = trace.id;`,
  'await tracer.record()': `await tracer.record({ name: 'job', traceId: '${ID}', durationMs: 5 });
    const id = '${ID}';`,
  'await tracer.trace()': `let id;
    await tracer.trace('job', (trace) => { id = trace.id; });`,
  'await tracer.flush()': `const trace = tracer.startTrace('job');
    trace.end();
    await tracer.flush(1000);
    const id = trace.id;`,
};

type Ending = keyof typeof endings;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  line: { after: boolean; id: string; waitedMs: number } | undefined;
}

function scriptFile(format: 'esm' | 'cjs', body: string, batch: string, preamble = ''): string {
  const setup = `const tracer = tw.createTracer({
      serviceName: 'script',
      exporter: tw.httpExporter({ url: process.env.COLLECTOR_URL }),
      batch: ${batch},
      onError: () => {},
    });
    ${preamble}
    const started = Date.now();`;
  const tail = `console.log(JSON.stringify({ after: true, id, waitedMs: Date.now() - started }));`;
  const source =
    format === 'esm'
      ? `import * as tw from ${JSON.stringify(bundles.esm)};\n${setup}\n${body}\n${tail}\n`
      : `const tw = require(${JSON.stringify(bundles.cjs)});\n(async () => {\n${setup}\n${body}\n${tail}\n})();\n`;
  const file = join(
    dir,
    `script-${Math.random().toString(36).slice(2)}.${format === 'esm' ? 'mjs' : 'cjs'}`,
  );
  writeFileSync(file, source);
  return file;
}

/** Runs a script to its natural exit; a child still running after 15 s is killed (and fails the test). */
function run(file: string, url: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      env: { ...process.env, COLLECTOR_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').pop();
      let line: Run['line'];
      try {
        line = last ? JSON.parse(last) : undefined;
      } catch {
        line = undefined;
      }
      resolve({ code, signal, stdout, stderr, line });
    });
  });
}

describe.each(['esm', 'cjs'] as const)('a %s script', (format) => {
  let collector: Collector;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(() => collector.close());

  it.each(Object.keys(endings) as Ending[])(
    'ending with %s goes on, exits 0, and its trace arrives',
    async (ending) => {
      const file = scriptFile(format, endings[ending], '{ scheduledDelayMs: 600000 }');
      const result = await run(file, collector.url);
      expect(result.stderr).toBe('');
      expect(result).toMatchObject({ code: 0, signal: null, line: { after: true } });
      expect(collector.acceptedTraceIds()).toContain(result.line!.id);
    },
  );

  it.each(Object.keys(endings) as Ending[])(
    'ending with %s and no collector listening goes on within flushTimeoutMs and exits 0',
    async (ending) => {
      const file = scriptFile(
        format,
        endings[ending],
        // Retries that alone would wait tens of seconds: the bound is flushTimeoutMs.
        '{ scheduledDelayMs: 600000, flushTimeoutMs: 1000, retryInitialDelayMs: 20000, retryMaxDelayMs: 30000 }',
      );
      const result = await run(file, await closedPortUrl());
      expect(result.stderr).toBe('');
      expect(result).toMatchObject({ code: 0, signal: null, line: { after: true } });
      // Bounded by flushTimeoutMs (1 s), not by the retries; the margin is for
      // a loaded machine, not a performance claim.
      expect(result.line!.waitedMs).toBeLessThan(10_000);
    },
  );

  it('that does not await is not kept alive by tracing', async () => {
    const before = collector.requests.length;
    const file = scriptFile(
      format,
      `const trace = tracer.startTrace('fire-and-forget'); trace.end(); const id = trace.id;`,
      '{ scheduledDelayMs: 600000 }',
    );
    const result = await run(file, collector.url);
    // It exits on its own long before the 10-minute batch delay, sending nothing.
    expect(result).toMatchObject({ code: 0, signal: null, line: { after: true } });
    expect(collector.requests.length).toBe(before);
  });

  it('that does not await but registers shutdown delivers as it exits', async () => {
    const file = scriptFile(
      format,
      `const trace = tracer.startTrace('fire-and-forget'); trace.end(); const id = trace.id;`,
      '{ scheduledDelayMs: 600000 }',
      'tw.registerShutdown(tracer);',
    );
    const result = await run(file, collector.url);
    expect(result).toMatchObject({ code: 0, signal: null, line: { after: true } });
    expect(collector.acceptedTraceIds()).toContain(result.line!.id);
  });
});
