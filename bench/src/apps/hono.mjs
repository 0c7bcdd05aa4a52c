// Hono 4 on @hono/node-server: GET /users/:id in every variant. OpenTelemetry here
// is `@hono/otel`'s middleware on a NodeTracerProvider, Hono's own instrumentation.
import { als, alsStore, findUser, requireStore } from './shared.mjs';

/** Starts the app for `variant`; resolves with the listening `http.Server`. */
export async function start(variant, deps) {
  const { Hono } = await import('hono');
  const { serve } = await import('@hono/node-server');
  const app = new Hono();

  if (variant === 'als') {
    app.use((c, next) => als.run(alsStore(c.req.method, c.req.url), next));
  }
  if (variant === 'tracewire' || variant === 'tracewire-nocontext') {
    const { tracing } = await import('@tracewire/hono');
    app.use(tracing({ tracer: deps.tracer }));
  }
  if (variant === 'otel') {
    const { httpInstrumentationMiddleware } = await import('@hono/otel');
    app.use(httpInstrumentationMiddleware({ serviceName: 'bench-hono' }));
  }

  if (variant === 'floor') {
    const { floor } = deps;
    app.use(async (c, next) => {
      const record = floor.start(c.req.method, c.env.incoming.headers.traceparent);
      c.set('floor', record);
      await next();
      floor.end(record, c.req.matchedRoutes.at(-1)?.path ?? '', c.res.status);
    });
  }

  app.get('/users/:id', handlerFor(variant, deps));
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(server),
    );
  });
}

function handlerFor(variant, { span, otel, floor }) {
  switch (variant) {
    case 'bare':
      return async (c) => c.json(await findUser(c.req.param('id')));
    case 'als':
      return async (c) => {
        requireStore();
        return c.json(await findUser(c.req.param('id')));
      };
    case 'tracewire':
      return async (c) => c.json(await span('db.lookup', () => findUser(c.req.param('id'))));
    case 'tracewire-nocontext':
      return async (c) => {
        const child = c.get('span').startSpan('db.lookup');
        const user = await findUser(c.req.param('id'));
        child.end();
        return c.json(user);
      };
    case 'floor':
      return async (c) =>
        c.json(await floor.child(c.get('floor'), () => findUser(c.req.param('id'))));
    case 'otel':
      return async (c) => c.json(await otel.lookup(() => findUser(c.req.param('id'))));
    default:
      throw new Error(`hono: unknown variant ${variant}`);
  }
}
