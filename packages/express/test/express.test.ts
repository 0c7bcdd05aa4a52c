import type { TraceData } from '@tracewire/core';
import { waitForTraces } from '@tracewire/core/testing';
import { tracing, tracingErrorHandler } from '@tracewire/express';
import type { Express, NextFunction, Request, Response } from 'express';
import Router22 from 'router-2-2';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { fileTracer, majors } from './support';

const { exporter, tracer } = fileTracer('express-routes');

const ok = (_req: Request, res: Response) => {
  res.send('ok');
};
const pass = (_req: Request, _res: Response, next: NextFunction) => next();

/** Sends `GET path` (or `method`) and returns the name of the trace it produced. */
async function nameOf(app: Express, path: string, method: 'get' | 'put' | 'post' | 'head' = 'get') {
  const res = await request(app)[method](path);
  const [trace] = await waitForTraces(tracer, exporter, (t) => urlPath(t) === path.split('?')[0]);
  exporter.reset();
  return {
    name: trace!.name,
    route: trace!.spans[0]!.attributes['http.route'],
    status: res.status,
  };
}

function urlPath(trace: TraceData) {
  return trace.spans[0]!.attributes['url.path'];
}

describe.each(majors)('route templates on $major', ({ express, version }) => {
  const star = version === 4 ? '/files/*' : '/files/*path';
  const optional = version === 4 ? '/docs/:section?' : '/docs{/:section}';

  function makeApp(): Express {
    const app = express();
    app.use(tracing({ tracer }));

    app.get('/users/:id', ok);

    // Nested routers, each with middleware of its own in front of the routes.
    const v1 = express.Router();
    v1.use(pass);
    v1.use('/users', pass);
    v1.get('/users/:id', ok);
    v1.get('/', ok);
    const api = express.Router();
    api.use(pass);
    api.use('/v1', v1);
    app.use('/api', api);

    // The same router mounted twice must not share a cached name.
    const shared = express.Router();
    shared.get('/items/:itemId', ok);
    app.use('/shop-a', shared);
    app.use('/shop-b', shared);

    app.route('/books/:bookId').get(ok).put(ok);

    app.get(['/pets/:petId', '/animals/:animalId'], ok);
    app.use(['/left', '/right'], express.Router().get('/side/:n', ok));

    app.get(/^\/re\/(\d+)$/, ok);
    app.get(star, ok);
    app.get(optional, ok);

    // Mount paths with parameters, including a value equal to a literal segment.
    const projects = express.Router({ mergeParams: true });
    projects.get('/projects/:projectId', ok);
    app.use('/tenants/:tenantId', projects);

    // Sub-apps, nested, with a router inside.
    const admin = express();
    admin.get('/users/:id', ok);
    const reports = express();
    reports.use('/monthly', express.Router().get('/:month', ok));
    admin.use('/reports', reports);
    app.use('/admin', admin);

    // next('route') hands the request to the next matching route.
    app.get(
      '/things/:thing',
      (req: Request, _res: Response, next: NextFunction) =>
        req.params.thing === 'special' ? next('route') : next(),
      ok,
    );
    app.get('/things/special', ok);

    // Middleware answering on its own: no route.
    app.use('/answered-by-middleware', (_req: Request, res: Response) => {
      res.send('mw');
    });
    return app;
  }

  const app = makeApp();

  it.each([
    ['/users/42', 'GET /users/:id'],
    ['/api/v1/users/7', 'GET /api/v1/users/:id'],
    ['/api/v1', 'GET /api/v1'],
    ['/API/V1/users/7', 'GET /api/v1/users/:id'],
    ['/api/v1/users/7/', 'GET /api/v1/users/:id'],
    ['/books/9', 'GET /books/:bookId'],
    ['/pets/1', 'GET /pets/:petId'],
    ['/animals/2', 'GET /animals/:animalId'],
    ['/left/side/1', 'GET /left/side/:n'],
    ['/right/side/2', 'GET /right/side/:n'],
    ['/re/123', `GET ${String(/^\/re\/(\d+)$/)}`],
    ['/files/a/b/c.txt', `GET ${star}`],
    ['/docs', `GET ${optional}`],
    ['/docs/intro', `GET ${optional}`],
    ['/tenants/42/projects/7', 'GET /tenants/:tenantId/projects/:projectId'],
    ['/tenants/tenants/projects/projects', 'GET /tenants/:tenantId/projects/:projectId'],
    ['/tenants/a%20b/projects/x%2Fy', 'GET /tenants/:tenantId/projects/:projectId'],
    ['/admin/users/3', 'GET /admin/users/:id'],
    ['/admin/reports/monthly/2024-05', 'GET /admin/reports/monthly/:month'],
    ['/things/ordinary', 'GET /things/:thing'],
    ['/things/special', 'GET /things/special'],
    ['/users/42?expand=true', 'GET /users/:id'],
  ])('%s is named %s', async (path, expected) => {
    const result = await nameOf(app, path);
    expect(result.status).toBe(200);
    expect(result.name).toBe(expected);
    expect(result.route).toBe(expected.slice('GET '.length));
  });

  it('names PUT and HEAD by the same app.route() template', async () => {
    expect((await nameOf(app, '/books/1', 'put')).name).toBe('PUT /books/:bookId');
    expect((await nameOf(app, '/users/1', 'head')).name).toBe('HEAD /users/:id');
  });

  it('keeps names apart for one router mounted twice, in any order', async () => {
    for (const shop of ['a', 'b', 'a', 'b']) {
      expect((await nameOf(app, `/shop-${shop}/items/5`)).name).toBe(
        `GET /shop-${shop}/items/:itemId`,
      );
    }
  });

  it('never puts parameter values of a mount path into the name', async () => {
    const names = new Set<string>();
    for (let tenant = 0; tenant < 40; tenant++)
      names.add((await nameOf(app, `/tenants/t${tenant}/projects/1`)).name);
    expect([...names]).toEqual(['GET /tenants/:tenantId/projects/:projectId']);
  });

  it('names a 404 by its method alone', async () => {
    const result = await nameOf(app, '/nothing/here');
    expect(result.status).toBe(404);
    expect(result.name).toBe('GET');
    expect(result.route).toBeUndefined();
    const nested = await nameOf(app, '/api/v1/nothing');
    expect(nested.status).toBe(404);
    expect(nested.name).toBe('GET');
  });

  it('names a request answered by middleware by its method alone', async () => {
    const result = await nameOf(app, '/answered-by-middleware/x');
    expect(result.status).toBe(200);
    expect(result.name).toBe('GET');
  });

  it('is not confused by wildcard middleware in front of the routes', async () => {
    const wild = express();
    wild.use(tracing({ tracer }));
    wild.use(version === 4 ? '*' : '/{*rest}', pass);
    wild.use('/api', express.Router().use(pass).get('/users/:id', ok));
    expect((await nameOf(wild, '/api/users/1')).name).toBe('GET /api/users/:id');
  });

  it('names routes of a sub-app whose error is answered by the parent app', async () => {
    // A fresh sub-app never seen before: its error leaves it before the response ends.
    const parent = express();
    parent.use(tracing({ tracer }));
    const billing = express();
    billing.get('/invoices/:invoiceId', () => {
      throw new Error('billing down');
    });
    parent.use('/billing', billing);
    parent.use(tracingErrorHandler());
    parent.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      res.status(502).send('bad gateway');
    });
    for (let i = 0; i < 2; i++) {
      const result = await nameOf(parent, '/billing/invoices/12');
      expect(result.status).toBe(502);
      expect(result.name).toBe('GET /billing/invoices/:invoiceId');
    }
  });

  it('names a route registered after the first request', async () => {
    const late = express();
    late.use(tracing({ tracer }));
    late.get('/early', ok);
    expect((await nameOf(late, '/early')).name).toBe('GET /early');
    late.use('/later', express.Router().get('/:id', ok));
    expect((await nameOf(late, '/later/1')).name).toBe('GET /later/:id');
  });

  it.each(
    version === 4
      ? [
          ['/MyApi/:a/:b?', '/MYAPI/1/2/leaf', '/MyApi/:a/:b?/leaf'],
          ['/files/:name.:ext', '/files/report.pdf/leaf', '/files/:name.:ext/leaf'],
          ['/x/:id(\\d+)', '/x/12/leaf', '/x/:id/leaf'],
          ['/a.b/:c', '/a.b/1/leaf', '/a.b/:c/leaf'],
          ['/v(\\d+)', '/v2/leaf', '/v(\\d+)/leaf'],
          ['/:from-:to', '/1-2/leaf', '/:from-:to/leaf'],
        ]
      : [
          ['/MyApi/:a{/:b}', '/MYAPI/1/2/leaf', '/MyApi/:a{/:b}/leaf'],
          ['/files/:name.:ext', '/files/report.pdf/leaf', '/files/:name.:ext/leaf'],
          ['/deep/*rest', '/deep/a/b', '/deep/*rest', '/'],
        ],
  )(
    'mount path %s, requested as %s, is named %s',
    async (mount, path, template, route = '/leaf') => {
      const mounted = express();
      mounted.use(tracing({ tracer }));
      mounted.use(mount, express.Router().get(route, ok));
      const result = await nameOf(mounted, path);
      expect(result.status).toBe(200);
      expect(result.route).toBe(template);
    },
  );

  it('names a regex mount path by the RegExp', async () => {
    const mounted = express();
    mounted.use(tracing({ tracer }));
    mounted.use(/^\/v\d+/, express.Router().get('/status', ok));
    expect((await nameOf(mounted, '/v3/status')).route).toBe(`${String(/^\/v\d+/)}/status`);
  });
});

describe('route templates through router 2.2 (Express 5.0 and 5.1 installs)', () => {
  // router 2.2 keeps no written mount path: names are rebuilt from the matched
  // path, each placement checked with the layer's own matcher.
  const express5 = majors[1].express;
  const app = express5();
  app.use(tracing({ tracer }));
  const outer = Router22();
  const repos = Router22({ mergeParams: true });
  repos.get('/repos/:repoId', ok);
  outer.use('/orgs/:orgId', repos);
  outer.use('/files/:name.:ext', Router22().get('/meta', ok));
  outer.use('/deep/*rest', Router22().get('/', ok));
  outer.use(/^\/v\d+/, Router22().get('/status', ok));
  app.use('/legacy', outer);

  it.each([
    ['/legacy/orgs/acme/repos/7', '/legacy/orgs/:orgId/repos/:repoId'],
    ['/legacy/orgs/orgs/repos/repos', '/legacy/orgs/:orgId/repos/:repoId'],
    ['/legacy/orgs/a%20b/repos/1', '/legacy/orgs/:orgId/repos/:repoId'],
    ['/legacy/files/report.pdf/meta', '/legacy/files/:name.:ext/meta'],
    ['/legacy/deep/x/y', '/legacy/deep/*rest'],
    ['/legacy/v7/status', '/legacy/*/status'],
  ])('%s is named %s', async (path, template) => {
    const result = await nameOf(app, path);
    expect(result.status).toBe(200);
    expect(result.route).toBe(template);
  });
});
