// Entry for Node, Bun and Deno: serves the app on 127.0.0.1 and prints its port.
import { serve } from '@hono/node-server';
import { app } from './app';

declare const Bun: { serve(options: object): { port: number } } | undefined;
declare const Deno:
  | { serve(options: object, handler: (request: Request) => Response | Promise<Response>): unknown }
  | undefined;

const announce = (port: number) => console.log(`LISTENING ${port}`);

if (typeof Bun !== 'undefined') {
  announce(Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app.fetch }).port);
} else if (typeof Deno !== 'undefined') {
  Deno.serve(
    { hostname: '127.0.0.1', port: 0, onListen: ({ port }: { port: number }) => announce(port) },
    app.fetch,
  );
} else {
  serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => announce(info.port));
}
