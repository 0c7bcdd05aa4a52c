import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

/** Bundles `@tracewire/*` from sources, the way a user's esbuild bundles the packages. */
const sources: Plugin = {
  name: 'tracewire-sources',
  setup(b) {
    b.onResolve({ filter: /^@tracewire\/[a-z-]+(\/[a-z-]+)?$/ }, ({ path }) => {
      const [, pkg, sub] = /^@tracewire\/([a-z-]+)(?:\/([a-z-]+))?$/.exec(path)!;
      return { path: join(packagesDir, pkg!, 'src', sub ? `${sub}/index.ts` : 'index.ts') };
    });
  },
};

/** An app that traces once with the default tracer (configured from the environment). */
async function bundle(entry: string): Promise<string> {
  // Outside the repository: the bundle has no node_modules to import anything from.
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-bundled-'));
  writeFileSync(join(dir, 'app.mjs'), entry);
  await build({
    entryPoints: [join(dir, 'app.mjs')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: join(dir, 'bundle.mjs'),
    plugins: [sources],
    logLevel: 'silent',
  });
  return join(dir, 'bundle.mjs');
}

const TRACE_ONCE = `
import { getDefaultTracer } from '@tracewire/core';
const tracer = getDefaultTracer();
await tracer.trace('bundled-work', () => undefined);
await tracer.shutdown();
`;

function run(file: string, endpoint: string): Promise<{ stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file],
      {
        cwd: join(file, '..'),
        env: {
          PATH: process.env.PATH,
          OTEL_SERVICE_NAME: 'bundled',
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        },
        timeout: 20_000,
      },
      (error, _stdout, stderr) => resolve({ stderr, code: error ? (error.code as number) : 0 }),
    );
  });
}

describe('an app bundled with esbuild, OTLP configured from OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let server: Server;
  let endpoint: string;
  let received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push(`${req.url} ${body}`);
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    received = [];
  });

  it("exports once the entry says import '@tracewire/otlp'", async () => {
    const file = await bundle(`import '@tracewire/otlp';\n${TRACE_ONCE}`);
    const { stderr, code } = await run(file, endpoint);
    expect(code).toBe(0);
    expect(stderr).not.toContain('TRACEWIRE_OTLP_MISSING');
    expect(received.some((r) => r.startsWith('/v1/traces') && r.includes('bundled-work'))).toBe(
      true,
    );
  }, 60_000);

  it('without it, says so at start with the one-line fix', async () => {
    const file = await bundle(TRACE_ONCE);
    const { stderr } = await run(file, endpoint);
    expect(stderr).toContain('TRACEWIRE_OTLP_MISSING');
    expect(stderr).toContain("import '@tracewire/otlp';");
    expect(received).toEqual([]);
  }, 60_000);
});
