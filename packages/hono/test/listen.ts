import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { ContractApp } from '@tracewire/core/testing';
import type { Hono } from 'hono';

/** Serves `app` with @hono/node-server on an ephemeral 127.0.0.1 port. */
export function listen(app: Hono<any, any, any>): Promise<ContractApp> {
  return new Promise((resolve) => {
    const server = serve(
      { fetch: app.fetch, port: 0, hostname: '127.0.0.1' },
      (info: AddressInfo) => {
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              if ('closeAllConnections' in server) server.closeAllConnections();
              server.close(() => done());
            }),
        });
      },
    );
  });
}
