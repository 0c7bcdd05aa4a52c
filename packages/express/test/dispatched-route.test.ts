import { waitForTraces } from '@tracewire/core/testing';
import { tracing } from '@tracewire/express';
import type { Express, NextFunction, Request, Response } from 'express';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { dispatchedTemplate } from '../src/internal/dispatched-route';
import { reconstructedTemplate } from '../src/internal/reconstructed-route';
import { fileTracer } from './support';

const { exporter, tracer } = fileTracer('express-dispatch');

const ok = (_req: Request, res: Response) => {
  res.send('ok');
};
const pass = (_req: Request, _res: Response, next: NextFunction) => next();

/** Each app records its requests as they finish, so a test can ask how each was named. */
function tracedApp(routerErrors?: boolean): { app: Express; seen: Request[] } {
  const app = express();
  const seen: Request[] = [];
  app.use(tracing({ tracer, routerErrors }));
  app.use((req, _res, next) => {
    seen.push(req);
    next();
  });
  return { app, seen };
}

/** `GET path`: the trace's route, and the request the app saw. */
async function send(app: Express, seen: Request[], path: string) {
  seen.length = 0;
  const res = await request(app).get(path);
  const [trace] = await waitForTraces(
    tracer,
    exporter,
    (t) => t.spans[0]!.attributes['url.path'] === path,
  );
  exporter.reset();
  return { route: trace!.spans[0]!.attributes['http.route'], status: res.status, req: seen[0]! };
}

describe('route naming from the dispatch of Express 5 (router >= 2.3)', () => {
  function makeApp() {
    const { app, seen } = tracedApp();
    const v1 = express.Router();
    v1.use(pass);
    v1.get('/users/:id', ok);
    const api = express.Router();
    api.use('/v1', v1);
    app.use('/tenants/:tenantId/api', api);

    const shared = express.Router();
    shared.get('/items/:itemId', ok);
    app.use('/shop-a', shared);
    app.use('/shop-b', shared);

    const inner = express();
    inner.get(['/a/:x', '/b/:y'], ok);
    const sub = express();
    sub.use('/inner', inner);
    app.use('/sub', sub);

    const versioned = express.Router();
    versioned.get('/status', ok);
    app.use(/^\/v\d+/, versioned);

    const listed = express.Router();
    listed.get('/list', ok);
    app.use(['/cats', '/dogs'], listed);

    // A wildcard middleware in front of everything below is not a mount.
    app.use('/{*rest}', pass);
    const broken = express();
    broken.get('/fail/:id', () => {
      throw new Error('boom');
    });
    app.use('/broken', broken);
    app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).send('handled by the parent');
    });

    app.get('/files/*path', ok);
    app.get('/docs{/:section}', ok);
    return { app, seen };
  }

  it.each([
    ['/tenants/7/api/v1/users/3', '/tenants/:tenantId/api/v1/users/:id'],
    ['/shop-a/items/1', '/shop-a/items/:itemId'],
    ['/shop-b/items/1', '/shop-b/items/:itemId'],
    ['/sub/inner/a/1', '/sub/inner/a/:x'],
    ['/sub/inner/b/2', '/sub/inner/b/:y'],
    ['/v2/status', `${String(/^\/v\d+/)}/status`],
    ['/dogs/list', '/dogs/list'],
    ['/files/a/b.txt', '/files/*path'],
    ['/docs/intro', '/docs{/:section}'],
  ])('names %s as %s, from the dispatch', async (path, template) => {
    const { app, seen } = makeApp();
    const { route, status, req } = await send(app, seen, path);
    expect(status).toBe(200);
    expect(route).toBe(template);
    expect(dispatchedTemplate(req)).toBe(template);
  });

  it('names a route of a sub-app whose error the parent app answers', async () => {
    const { app, seen } = makeApp();
    const { route, status, req } = await send(app, seen, '/broken/fail/1');
    expect(status).toBe(500);
    expect(route).toBe('/broken/fail/:id');
    expect(dispatchedTemplate(req)).toBe('/broken/fail/:id');
  });

  it('names a route whose param callback fails before any handler starts', async () => {
    const { app, seen } = tracedApp();
    const orders = express.Router();
    orders.param('orderId', (_req, _res, next, id) => {
      next(id === 'bad' ? new Error('no such order') : undefined);
    });
    orders.get('/orders/:orderId', ok);
    app.use('/shops/:shopId', orders);
    const { route, status, req } = await send(app, seen, '/shops/1/orders/bad');
    expect(status).toBe(500);
    expect(route).toBe('/shops/:shopId/orders/:orderId');
    expect(dispatchedTemplate(req)).toBe('/shops/:shopId/orders/:orderId');
  });

  it('names a route reached after a router it first entered was left with next("router")', async () => {
    const { app, seen } = tracedApp();
    const items = express.Router();
    items.get('/items/:itemId', ok);
    // Under /static only a request that asks for it stays; others leave the router.
    const gated = express.Router();
    gated.use((req, _res, next) => next(req.get('x-static') === undefined ? 'router' : undefined));
    gated.use(items);
    app.use('/static', gated);
    app.use('/:shop', items);

    const left = await send(app, seen, '/static/items/1');
    expect(left.route).toBe('/:shop/items/:itemId');
    expect(dispatchedTemplate(left.req)).toBe('/:shop/items/:itemId');
    // The same request's baseUrl and route fit the first mount too: after the
    // fact, the reconstruction cannot tell which mount dispatched it.
    expect(reconstructedTemplate(left.req, app)).toBe('/static/items/:itemId');

    seen.length = 0;
    await request(app).get('/static/items/2').set('x-static', '1');
    expect(dispatchedTemplate(seen[0]!)).toBe('/static/items/:itemId');
  });

  it('takes only routers and sub-apps for mounts, not middleware on a path that can match nothing ({/en})', async () => {
    const { app, seen } = tracedApp();
    app.use('{/en}', pass);
    app.get('/users/:id', ok);
    const { route, req } = await send(app, seen, '/users/1');
    expect(route).toBe('/users/:id');
    expect(dispatchedTemplate(req)).toBe('/users/:id');
  });

  it('falls back to the reconstruction for a router called from a plain middleware', async () => {
    const { app, seen } = tracedApp();
    const wrapped = express.Router();
    wrapped.get('/users/:id', ok);
    app.use('/wrapped', (req, res, next) => wrapped(req, res, next));
    const { route, req } = await send(app, seen, '/wrapped/users/1');
    expect(dispatchedTemplate(req)).toBeUndefined();
    expect(route).toBe(reconstructedTemplate(req, app));
  });

  it('is not followed with routerErrors: false (the channel stays unobserved by this app)', async () => {
    const { app, seen } = tracedApp(false);
    app.get('/users/:id', ok);
    const { route, req } = await send(app, seen, '/users/1');
    expect(route).toBe('/users/:id');
    expect(dispatchedTemplate(req)).toBeUndefined();
  });

  it('names nothing for a 404 after a route fell through', async () => {
    const { app, seen } = makeApp();
    const { route, status } = await send(app, seen, '/nowhere');
    expect(status).toBe(404);
    expect(route).toBeUndefined();
  });
});
