import type { AddressInfo } from 'node:net';
import { createTracer, memoryExporter } from '@tracewire/core';
import type { Express } from 'express';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeEach } from 'vitest';

/** Both supported majors, for `describe.each`. */
export const majors = [
  { major: 'express 4', express: express4, version: 4 },
  { major: 'express 5', express: express5, version: 5 },
] as const;

export type ExpressFactory = typeof express5;

/** Starts `app` on 127.0.0.1 on a free port. */
export async function listen(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<ReturnType<Express['listen']>>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The tracer of one test file, exporting to memory with a short batch delay:
 * its exporter is emptied before each test and the tracer shut down after the file.
 */
export function fileTracer(serviceName: string) {
  const exporter = memoryExporter();
  const tracer = createTracer({ serviceName, exporter, batch: { scheduledDelayMs: 5 } });
  afterAll(() => tracer.shutdown());
  beforeEach(() => exporter.reset());
  return { exporter, tracer };
}
