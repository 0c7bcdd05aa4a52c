import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import express5 from 'express';
import express4 from 'express4';

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
