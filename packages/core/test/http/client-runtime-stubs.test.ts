import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTracer, instrumentHttpClients, memoryExporter } from '@tracewire/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// workerd (`nodejs_compat`) has `module.syncBuiltinESMExports`, but it throws.
const sync = vi.hoisted(() => ({ calls: 0 }));
vi.mock('node:module', async (original) => ({
  ...(await original<typeof import('node:module')>()),
  syncBuiltinESMExports: () => {
    sync.calls++;
    throw new Error('module.syncBuiltinESMExports is not implemented');
  },
}));

let server: http.Server;
let base: string;
const seen: IncomingHttpHeaders[] = [];
const exporter = memoryExporter();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function nodeGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

describe('a runtime whose syncBuiltinESMExports throws', () => {
  it('installs, uninstalls and still propagates without throwing into the app', async () => {
    const tracer = createTracer({ serviceName: 'stubbed', exporter });
    let uninstall: (() => void) | undefined;
    expect(() => {
      uninstall = instrumentHttpClients();
    }).not.toThrow();
    const trace = tracer.startTrace({ name: 'job' });
    const status = await trace.rootSpan.wrap(() => nodeGet(`${base}/a`));
    await trace.end();
    expect(status).toBe(200);
    expect(seen.at(-1)?.traceparent).toMatch(new RegExp(`^00-${trace.id}-[0-9a-f]{16}-0[0-9a-f]$`));
    expect(() => uninstall?.()).not.toThrow();
    // Node 20 has no `http.client.request.created`: the wrappers (and the sync) are its path.
    const major = Number(process.versions.node.split('.')[0]);
    if (major < 22) expect(sync.calls).toBeGreaterThan(0);
  });
});
