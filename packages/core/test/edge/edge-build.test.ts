import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM build script, without declarations
import { edgeVariants } from '../../scripts/edge-variants.mjs';
import { newAsyncStore } from '../../src/context/async-storage.edge';
import type { postBatch } from '../../src/export/http-transport';
import { type Collector, startCollector } from '../export/helpers/collector';

const core = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let bundle: string;
let builtins: string[];

/** Core's root and /http entries built as the edge build is: each `x.edge.ts` for `x.ts`. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tracewire-edge-'));
  bundle = join(dir, 'core-edge.mjs');
  const result = await build({
    stdin: {
      contents:
        "export * from './src/index.ts';\nexport { ExportPipeline, postBatch } from './src/http/index.ts';\n",
      resolveDir: core,
      loader: 'ts',
    },
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    outfile: bundle,
    metafile: true,
    plugins: [edgeVariants(join(core, 'src'))],
    logLevel: 'silent',
  });
  builtins = Object.values(result.metafile.outputs).flatMap((output) =>
    output.imports.filter((i) => i.external).map((i) => i.path),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the edge build (Workers without nodejs_compat, Vercel Edge)', () => {
  it('imports no Node built-in and no other module', () => {
    expect(builtins).toEqual([]);
  });

  it('traces a request and exports it over fetch, gzipped, to a real collector', async () => {
    const collector = await startCollector();
    try {
      const edge = await import(pathToFileURL(bundle).href);
      const tracer = edge.createTracer({
        serviceName: 'edge-test',
        exporter: edge.httpExporter({ url: `${collector.url}/v1/tracewire`, compression: 'gzip' }),
      });
      const trace = tracer.startTrace('GET /edge');
      trace.rootSpan.startSpan('kv.get').end();
      await trace.end();
      expect(collector.acceptedTraceIds()).toEqual([trace.id]);
      const [received] = collector.requests;
      expect(received?.headers['content-encoding']).toBe('gzip');
      expect(received?.json.traces[0]?.spans.map((s) => s.name).sort()).toEqual([
        'GET /edge',
        'kv.get',
      ]);
      expect(trace.id).toMatch(/^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
      await tracer.shutdown(1000);
    } finally {
      await collector.close();
    }
  });
});

describe('the edge transport (fetch)', () => {
  let collector: Collector;
  let edgePost: typeof postBatch;

  beforeAll(async () => {
    collector = await startCollector((_request, index) =>
      index === 0
        ? { status: 503, headers: { 'retry-after': '7' }, body: '  busy\n\n right now ' }
        : index === 1
          ? { status: 401, body: 'no token' }
          : { status: 200 },
    );
    ({ postBatch: edgePost } = await import(pathToFileURL(bundle).href));
  });

  afterAll(() => collector.close());

  const send = (signal = AbortSignal.timeout(5000)) =>
    edgePost({
      url: `${collector.url}/v1/traces`,
      body: new TextEncoder().encode('{"traces":[]}'),
      contentType: 'application/json',
      headers: { 'X-Token': 'abc' },
      signal,
    });

  it('classifies answers as the Node transport does', async () => {
    const busy = await send();
    expect(busy).toMatchObject({ ok: false, retryable: true, retryAfterMs: 7000 });
    expect(String((busy as { error: Error }).error.message)).toContain('HTTP 503 (busy right now)');
    const denied = await send();
    expect(denied).toMatchObject({ ok: false, retryable: false });
    expect(String((denied as { error: Error }).error.message)).toContain('check the auth token');
    expect(await send()).toEqual({ ok: true });
    expect(collector.requests[2]?.headers['x-token']).toBe('abc');
  });

  it('reports a dead collector and a timeout as retryable, never throwing', async () => {
    const dead = await edgePost({
      url: 'http://127.0.0.1:9/v1/traces',
      body: 'x',
      contentType: 'text/plain',
      signal: AbortSignal.timeout(5000),
    });
    expect(dead).toMatchObject({ ok: false, retryable: true });
    const aborted = new AbortController();
    aborted.abort(new DOMException('late', 'TimeoutError'));
    expect(await send(aborted.signal)).toMatchObject({ ok: false, retryable: true });
  });

  it('refuses an invalid header without sending', async () => {
    const before = collector.requests.length;
    const result = await edgePost({
      url: `${collector.url}/v1/traces`,
      body: 'x',
      contentType: 'text/plain',
      headers: { 'bad header': 'x' },
      signal: AbortSignal.timeout(5000),
    });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(collector.requests.length).toBe(before);
  });
});

describe('the edge context store', () => {
  it('is AsyncLocalStorage where process.getBuiltinModule offers it (workerd with nodejs_compat)', async () => {
    const store = newAsyncStore<string>();
    const seen = await store.run('a', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return store.getStore();
    });
    expect(seen).toBe('a');
  });

  it('keeps nothing where the runtime has no AsyncLocalStorage (explicit handles only)', () => {
    const proc = globalThis.process as { getBuiltinModule?: unknown };
    const original = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      const store = newAsyncStore<string>();
      expect(store.run('a', () => store.getStore())).toBeUndefined();
      store.enterWith('b');
      expect(store.getStore()).toBeUndefined();
    } finally {
      proc.getBuiltinModule = original;
    }
  });
});
