// Express 5: GET /users/:id in every variant. The framework is loaded with
// require() so OpenTelemetry's require hooks (set up before this runs) can patch it.
import { createRequire } from 'node:module';
import { als, alsStore, findUser, requireStore } from './shared.mjs';

const require = createRequire(import.meta.url);

/** Starts the app for `variant`; resolves with the listening `http.Server`. */
export async function start(variant, deps) {
  const { tracer } = deps;
  const express = require('express');
  const app = express();

  if (variant === 'als') {
    app.use((req, _res, next) => als.run(alsStore(req.method, req.url), next));
  }
  if (variant === 'tracewire' || variant === 'tracewire-nocontext') {
    const { tracing } = await import('@tracewire/express');
    app.use(tracing({ tracer, routerErrors: deps.expressRouterErrors }));
  }

  if (variant === 'floor') {
    app.use(deps.floor.expressMiddleware());
  }

  app.get('/users/:id', handlerFor(variant, deps));
  return listen(app);
}

function handlerFor(variant, { span, otel, floor }) {
  switch (variant) {
    case 'bare':
      return async (req, res) => {
        res.json(await findUser(req.params.id));
      };
    case 'als':
      return async (req, res) => {
        requireStore();
        res.json(await findUser(req.params.id));
      };
    case 'tracewire':
      return async (req, res) => {
        res.json(await span('db.lookup', () => findUser(req.params.id)));
      };
    case 'tracewire-nocontext':
      return async (req, res) => {
        const child = req.span.startSpan('db.lookup');
        const user = await findUser(req.params.id);
        child.end();
        res.json(user);
      };
    case 'floor':
      return async (req, res) => {
        res.json(await floor.child(res.locals.floor, () => findUser(req.params.id)));
      };
    case 'otel':
      return async (req, res) => {
        res.json(await otel.lookup(() => findUser(req.params.id)));
      };
    default:
      throw new Error(`express: unknown variant ${variant}`);
  }
}

function listen(app) {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve(server)));
  });
}
