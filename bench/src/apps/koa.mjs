// Koa 3 with @koa/router: GET /users/:id in every variant. Loaded with require()
// so OpenTelemetry's require hooks (set up before this runs) can patch it.
import http from 'node:http';
import { createRequire } from 'node:module';
import { als, alsStore, findUser, requireStore } from './shared.mjs';

const require = createRequire(import.meta.url);

/** Starts the app for `variant`; resolves with the listening `http.Server`. */
export async function start(variant, deps) {
  const Koa = require('koa');
  const { Router } = require('@koa/router');
  const app = new Koa();
  const router = new Router();

  if (variant === 'als') {
    app.use((ctx, next) => als.run(alsStore(ctx.method, ctx.url), next));
  }
  if (variant === 'tracewire' || variant === 'tracewire-nocontext') {
    const { tracing } = await import('@tracewire/koa');
    app.use(tracing({ tracer: deps.tracer }));
  }

  if (variant === 'floor') {
    const { floor } = deps;
    app.use((ctx, next) => {
      const record = floor.start(ctx.method, ctx.req.headers.traceparent);
      ctx.state.floor = record;
      ctx.res.on('finish', () => floor.end(record, ctx._matchedRoute ?? '', ctx.res.statusCode));
      return next();
    });
  }

  router.get('/users/:id', handlerFor(variant, deps));
  app.use(router.routes());
  return listen(app);
}

function handlerFor(variant, { span, otel, floor }) {
  switch (variant) {
    case 'bare':
      return async (ctx) => {
        ctx.body = await findUser(ctx.params.id);
      };
    case 'als':
      return async (ctx) => {
        requireStore();
        ctx.body = await findUser(ctx.params.id);
      };
    case 'tracewire':
      return async (ctx) => {
        ctx.body = await span('db.lookup', () => findUser(ctx.params.id));
      };
    case 'tracewire-nocontext':
      return async (ctx) => {
        const child = ctx.state.span.startSpan('db.lookup');
        const user = await findUser(ctx.params.id);
        child.end();
        ctx.body = user;
      };
    case 'floor':
      return async (ctx) => {
        ctx.body = await floor.child(ctx.state.floor, () => findUser(ctx.params.id));
      };
    case 'otel':
      return async (ctx) => {
        ctx.body = await otel.lookup(() => findUser(ctx.params.id));
      };
    default:
      throw new Error(`koa: unknown variant ${variant}`);
  }
}

function listen(app) {
  return new Promise((resolve, reject) => {
    const server = http.createServer(app.callback());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
