// The runtime suite: the same app (app.ts) and the same checks on every runtime,
// against collectors on 127.0.0.1. Started by run.mjs, which bundles this file.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type DevServer, startDevServer } from '@tracewire/devtools';
import { build } from 'esbuild';
import { sourceAliases } from './source-aliases.mjs';

export interface Runtime {
  name: string;
  /** The binary; the runtime is skipped when its package shipped none for this platform. */
  binary: string;
  kind: 'server' | 'worker';
  /** Arguments before the bundle path. */
  args?: string[];
  /** workerd compatibility flags. */
  flags?: string;
  /** What the user must switch on, for the table. */
  needs?: string;
  /** `none`: the runtime offers no AsyncLocalStorage, so only explicit handles work. Default `als`. */
  context?: 'als' | 'none';
}

export interface SuiteOptions {
  dir: string;
  outDir: string;
  runtimes: Runtime[];
  /** Node >= 22, which runs miniflare for the worker runtimes. */
  workerHostNode: string;
  requests: number;
}

interface Row {
  runtime: string;
  version: string;
  needs: string;
  status: 'pass' | 'fail' | 'skip';
  traces: string;
  context: string;
  outgoing: string;
  notes: string[];
  failures: string[];
}

const ROUTE = '/api/users/:id';
const FAIL_ROUTE = '/api/users/:id/fail';

export async function runSuite(options: SuiteOptions): Promise<boolean> {
  const native = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
  const otlp = await startDevServer({ port: 0, quiet: true, settleMs: 50 });
  const downstream = createServer((req, res) => res.end(req.headers.traceparent ?? ''));
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
  const urls = {
    native: native.url,
    otlp: otlp.url,
    downstream: `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`,
  };
  const rows: Row[] = [];
  try {
    for (const runtime of options.runtimes) {
      native.store.clear();
      otlp.store.clear();
      rows.push(await runOne(runtime, options, urls, native, otlp));
    }
  } finally {
    downstream.close();
    await native.close();
    await otlp.close();
  }
  printTable(rows, options);
  return rows.every((row) => row.status !== 'fail');
}

async function runOne(
  runtime: Runtime,
  options: SuiteOptions,
  urls: { native: string; otlp: string; downstream: string },
  native: DevServer,
  otlp: DevServer,
): Promise<Row> {
  const row: Row = {
    runtime: runtime.name,
    version: '',
    needs: runtime.needs ?? '',
    status: 'pass',
    traces: '',
    context: '',
    outgoing: '',
    notes: [],
    failures: [],
  };
  console.log(`\n==> ${runtime.name}`);
  if (!existsSync(runtime.binary)) {
    row.status = 'skip';
    row.notes.push(`no binary for ${process.platform}-${process.arch} (${runtime.binary})`);
    console.log(`    SKIPPED: ${row.notes[0]}`);
    return row;
  }
  const { bundle, builtins } = await bundleApp(runtime, options, urls);
  if (runtime.kind === 'worker') {
    const size = statSync(bundle).size;
    const gzip = gzipSync(readFileSync(bundle)).length;
    row.notes.push(`worker bundle ${kib(size)} KiB (${kib(gzip)} KiB gzip)`);
    row.notes.push(
      builtins.length === 0 ? 'imports no Node built-in' : `imports ${builtins.join(', ')}`,
    );
  }
  try {
    row.version = runtimeVersion(runtime, options);
  } catch (error) {
    row.version = `unknown (${(error as Error).message.split('\n')[0]})`;
  }
  const child =
    runtime.kind === 'worker'
      ? spawn(
          options.workerHostNode,
          [join(options.dir, 'worker-host.mjs'), bundle, runtime.flags ?? ''],
          {
            stdio: ['pipe', 'pipe', 'pipe'],
          },
        )
      : spawn(runtime.binary, [...(runtime.args ?? []), bundle], {
          stdio: ['pipe', 'pipe', 'pipe'],
        });
  const output = collectOutput(child);
  const fail = (message: string) => {
    row.status = 'fail';
    if (row.failures.length < 10) row.failures.push(message);
  };
  try {
    let port = await output.waitFor(/LISTENING (\d+)/, 30_000);
    const expected: Expected[] = [];
    const send = async (i: number, delay: number) => {
      const e = await request(port, i, delay, runtime.kind === 'worker', fail);
      if (e) expected.push(e);
    };
    for (let i = 0; i < options.requests; i++) await send(i, 0);
    if (runtime.kind === 'worker') {
      // A new isolate for the concurrent half: what the old one exported must not be lost.
      child.stdin?.write('evict\n');
      port = await output.waitFor(/EVICTED (\d+)/, 30_000);
    }
    await Promise.all(
      Array.from({ length: options.requests }, (_, i) =>
        send(options.requests + i, Math.floor(Math.random() * 20)),
      ),
    );
    const sent = expected.length;
    const [nativeCount, otlpCount] = await Promise.all([
      verifyCollector('native', native, expected, fail),
      verifyCollector('otlp', otlp, expected, fail),
    ]);
    row.traces = `${nativeCount}/${sent} native, ${otlpCount}/${sent} OTLP`;
    const ok = expected.filter((e) => e.body !== undefined);
    const withContext = ok.filter((e) => e.body?.current === e.traceId).length;
    row.context =
      withContext === ok.length
        ? 'AsyncLocalStorage'
        : withContext === 0
          ? 'explicit handles only'
          : `LEAKED ${ok.length - withContext}`;
    if (withContext !== 0 && withContext !== ok.length)
      fail('context lost or leaked in some requests');
    const expectContext = runtime.context !== 'none';
    if (ok.length > 0 && expectContext !== (withContext === ok.length)) {
      fail(`context is ${row.context}, expected ${expectContext ? 'AsyncLocalStorage' : 'none'}`);
    }
    const auto = ok.filter((e) => traceIdOf(e.body?.automatic) === e.traceId).length;
    row.outgoing =
      auto === ok.length
        ? 'automatic'
        : auto === 0
          ? '`inject()`'
          : `automatic in ${auto}/${ok.length}`;
    if (auto !== 0 && auto !== ok.length) fail('outgoing fetch carried traceparent only sometimes');
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  } finally {
    child.stdin?.end();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  for (const line of output.problems()) fail(`runtime printed: ${line}`);
  const crossed = output.crossRequestResolutions();
  if (crossed > 0)
    fail(`workerd warned ${crossed} time(s): a promise settled from another request`);
  console.log(
    `    traces: ${row.traces}; context: ${row.context}; outgoing fetch: ${row.outgoing}`,
  );
  for (const note of row.notes) console.log(`    ${note}`);
  for (const failure of row.failures) console.log(`    FAIL: ${failure}`);
  if (row.status === 'fail') console.log(output.text().split('\n').slice(-30).join('\n'));
  return row;
}

interface Body {
  trace: string;
  current: string | null;
  currentSpanTrace: string | null;
  afterAwait: string | null;
  automatic: string | null;
  injected: string | null;
}

interface Expected {
  traceId: string;
  parentId: string;
  failing: boolean;
  body: Body | undefined;
}

async function request(
  port: number,
  i: number,
  delay: number,
  worker: boolean,
  fail: (message: string) => void,
): Promise<Expected | undefined> {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  const failing = i % 10 === 9;
  const path = failing ? `/api/users/${i}/fail` : `/api/users/${i}?delay=${delay}`;
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers: { traceparent: `00-${traceId}-${parentId}-01` },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    fail(`request ${i}: ${(error as Error).message}`);
    return undefined;
  }
  const text = await res.text();
  if (res.status !== (failing ? 500 : 200)) {
    fail(`request ${i} (${path}) answered ${res.status}: ${text.slice(0, 200)}`);
    return undefined;
  }
  const traceresponse = res.headers.get('traceresponse') ?? '';
  if (!new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`).test(traceresponse)) {
    fail(
      `request ${i}: traceresponse ${JSON.stringify(traceresponse)} does not continue ${traceId}`,
    );
  }
  if (worker && res.headers.get('x-wait-until') !== '1') {
    fail(`request ${i}: ${res.headers.get('x-wait-until')} executionCtx.waitUntil() calls, not 1`);
  }
  if (failing) return { traceId, parentId, failing, body: undefined };
  const body = JSON.parse(text) as Body;
  if (body.trace !== traceId) fail(`request ${i}: c.get('trace') is ${body.trace}, not ${traceId}`);
  for (const seen of [body.current, body.currentSpanTrace, body.afterAwait]) {
    if (seen !== null && seen !== traceId)
      fail(`request ${i}: saw another request's trace ${seen}`);
  }
  if (traceIdOf(body.injected) !== traceId) {
    fail(`request ${i}: inject() sent traceparent ${body.injected}`);
  }
  if (body.automatic !== null && traceIdOf(body.automatic) !== traceId) {
    fail(`request ${i}: outgoing fetch sent another trace's traceparent ${body.automatic}`);
  }
  return { traceId, parentId, failing, body };
}

/** Waits for every expected trace at one collector, then checks each; returns how many arrived. */
async function verifyCollector(
  label: string,
  server: DevServer,
  expected: Expected[],
  fail: (message: string) => void,
): Promise<number> {
  const deadline = Date.now() + 20_000;
  const arrived = () => expected.filter((e) => server.store.get(e.traceId) !== undefined).length;
  while (arrived() < expected.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let count = 0;
  for (const e of expected) {
    const trace = server.store.get(e.traceId);
    if (trace === undefined) continue;
    count++;
    const root = trace.spans.find((s) => s.kind === 'server');
    const name = `GET ${e.failing ? FAIL_ROUTE : ROUTE}`;
    if (root === undefined || root.name !== name) {
      fail(`${label}: trace ${e.traceId} is named ${root?.name}, not ${name}`);
      continue;
    }
    if (root.parentId !== e.parentId) {
      fail(`${label}: trace ${e.traceId} does not continue the inbound span ${e.parentId}`);
    }
    if (e.failing) {
      if (root.status !== 'error' || !root.error?.message?.includes('user load failed')) {
        fail(`${label}: trace ${e.traceId}: the thrown error was not recorded`);
      }
      continue;
    }
    const load = trace.spans.find((s) => s.name === 'db.load');
    if (load === undefined || load.parentId !== root.spanId) {
      fail(`${label}: trace ${e.traceId}: span('db.load') is missing or not under the server span`);
      continue;
    }
    const client = trace.spans.filter((s) => s.kind === 'client');
    if (e.body?.automatic != null && !client.some((s) => s.parentId === load.spanId)) {
      fail(`${label}: trace ${e.traceId}: the outgoing fetch has no client span under db.load`);
    }
  }
  if (count < expected.length)
    fail(`${label}: ${expected.length - count} of ${expected.length} traces never arrived`);
  return count;
}

function traceIdOf(traceparent: string | null | undefined): string | undefined {
  return traceparent?.split('-')[1];
}

async function bundleApp(
  runtime: Runtime,
  options: SuiteOptions,
  urls: { native: string; otlp: string; downstream: string },
): Promise<{ bundle: string; builtins: string[] }> {
  const outfile = join(options.outDir, `${runtime.name.replace(/[^a-z0-9]+/gi, '-')}.mjs`);
  const worker = runtime.kind === 'worker';
  const result = await build({
    entryPoints: [join(options.dir, worker ? 'worker.ts' : 'serve.ts')],
    metafile: true,
    outfile,
    bundle: true,
    format: 'esm',
    minify: worker,
    platform: worker ? 'neutral' : 'node',
    conditions: worker ? ['workerd', 'worker', 'browser'] : [],
    mainFields: worker ? ['module', 'main'] : undefined,
    external: ['node:*'],
    define: {
      __RUNTIME__: JSON.stringify(runtime.name),
      __NATIVE_URL__: JSON.stringify(urls.native),
      __OTLP_URL__: JSON.stringify(urls.otlp),
      __DOWNSTREAM_URL__: JSON.stringify(urls.downstream),
    },
    // Workers get core's edge build, as wrangler's `workerd` condition picks it.
    plugins: [sourceAliases(join(options.dir, '..', '..'), { edge: worker })],
    logLevel: 'warning',
  });
  // The Node built-ins the bundle still imports: what a runtime must provide.
  const builtins = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (imported.external && imported.path.startsWith('node:')) builtins.add(imported.path);
    }
  }
  return { bundle: outfile, builtins: [...builtins].sort() };
}

function runtimeVersion(runtime: Runtime, options: SuiteOptions): string {
  if (runtime.kind === 'worker') {
    const miniflare = realpathSync(join(options.dir, 'node_modules', 'miniflare', 'package.json'));
    const workerd = createRequire(miniflare).resolve('workerd/package.json');
    return `workerd ${versionOf(workerd)} (miniflare ${versionOf(miniflare)})`;
  }
  const printed = execFileSync(runtime.binary, ['--version'], { encoding: 'utf8' });
  return /\d+\.\d+\.\d+/.exec(printed)?.[0] ?? printed.trim();
}

function versionOf(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

/**
 * workerd's warning that a finished request's promise was settled from another
 * request: workerd cancels what was waiting on it, so a trace can be lost.
 * Counted (it comes once per promise, over several lines) and failed on.
 */
const CROSS_REQUEST_RESOLUTION =
  /promise was resolved or rejected from a different request context/;

const PROBLEM =
  /Disallowed operation|different request|not implemented|Uncaught|unhandled|ERR_|TypeError|ReferenceError|tracewire:/i;

function collectOutput(child: ChildProcess) {
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let consumed = 0;
  return {
    text: () => text,
    /** Resolves with the first number matching `pattern` printed after the previous match. */
    waitFor(pattern: RegExp, timeoutMs: number): Promise<number> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text.slice(consumed));
          if (match) {
            consumed += match.index + match[0].length;
            waiters.delete(check);
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`runtime did not start: ${text.slice(-2000)}`));
        }, timeoutMs);
        child.once('exit', () => {
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`runtime exited: ${text.slice(-2000)}`));
          }
        });
        waiters.add(check);
        check();
      });
    },
    problems: () =>
      text
        .split('\n')
        .filter((line) => PROBLEM.test(line) && !CROSS_REQUEST_RESOLUTION.test(line))
        .slice(0, 5),
    crossRequestResolutions: () =>
      text.split('\n').filter((line) => CROSS_REQUEST_RESOLUTION.test(line)).length,
  };
}

function kib(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

function printTable(rows: Row[], options: SuiteOptions): void {
  console.log(
    `\n${options.requests} sequential + ${options.requests} concurrent requests per runtime, each a trace at both collectors:\n`,
  );
  console.log(
    '| runtime | version | traces at the collectors | context | outgoing `fetch` | needs | notes |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) {
    const status =
      row.status === 'fail' ? ['**FAILED**'] : row.status === 'skip' ? ['SKIPPED'] : [];
    const notes = [...status, ...row.notes].join('; ');
    console.log(
      `| ${row.runtime} | ${row.version || '-'} | ${row.traces || '-'} | ${row.context || '-'} | ${row.outgoing || '-'} | ${row.needs || '-'} | ${notes} |`,
    );
  }
}
