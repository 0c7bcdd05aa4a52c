import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../', import.meta.url));
const coreDir = join(packageDir, '../core');

beforeAll(() => {
  // This checks the published builds as an app would load them.
  for (const dir of [coreDir, packageDir]) {
    if (!existsSync(join(dir, 'dist/index.js'))) {
      execFileSync('pnpm', ['run', 'build'], { cwd: dir, stdio: 'ignore' });
    }
  }
}, 120_000);

const SCRIPT = `
import { getDefaultTracer } from '@tracewire/core';
const tracer = getDefaultTracer();
await tracer.trace('configured-from-env', () => 'done');
await tracer.shutdown();
`;

it('the default tracer loads @tracewire/otlp when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
  const bodies: Array<{ url: string; body: string }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      bodies.push({ url: req.url ?? '', body });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: packageDir,
      env: {
        PATH: process.env.PATH,
        OTEL_SERVICE_NAME: 'env-configured',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  expect(bodies.map((b) => b.url)).toEqual(['/v1/traces']);
  const request = JSON.parse(bodies[0]!.body);
  const resource = request.resourceSpans[0].resource.attributes;
  expect(resource).toContainEqual({
    key: 'service.name',
    value: { stringValue: 'env-configured' },
  });
  expect(request.resourceSpans[0].scopeSpans[0].spans[0].name).toBe('configured-from-env');
});
