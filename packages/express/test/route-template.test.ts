import { describe, expect, it } from 'vitest';
import { routeTemplate } from '../src/internal/route-template';
import { majors } from './support';

const ok = () => undefined;

describe.each(majors)('route template cache on $major', ({ express }) => {
  function setup() {
    const app = express();
    const api = express.Router();
    api.get('/users/:id', ok);
    app.use('/tenants/:tenantId/api', api);
    const route = (api as unknown as { stack: Array<{ route: object }> }).stack[0]!.route;
    return { app, route };
  }

  it('walks once per route and baseUrl, then answers from the cache', () => {
    const { app, route } = setup();
    const req = {
      route,
      baseUrl: '/tenants/1/api',
      originalUrl: '/tenants/1/api/users/7?x=1',
      app,
    };
    expect(routeTemplate(req, app)).toBe('/tenants/:tenantId/api/users/:id');
    // Without any app to walk, only the cache can know the mounts.
    const cachedOnly = { route, baseUrl: '/tenants/1/api', originalUrl: '/tenants/1/api/users/8' };
    expect(routeTemplate(cachedOnly, undefined)).toBe('/tenants/:tenantId/api/users/:id');
    expect(routeTemplate({ ...cachedOnly, baseUrl: '/tenants/2/api' }, undefined)).toBe(
      '/users/:id',
    );
  });

  it('does not cache a walk whose mounts differ from req.baseUrl', () => {
    const { app, route } = setup();
    // An error that left the router restores baseUrl before the response ends.
    const escaped = { route, baseUrl: '', originalUrl: '/tenants/3/api/users/7', app };
    expect(routeTemplate(escaped, app)).toBe('/tenants/:tenantId/api/users/:id');
    expect(routeTemplate({ route, baseUrl: '', originalUrl: '/x' }, undefined)).toBe('/users/:id');
  });

  it('keeps a bounded number of baseUrls per route', () => {
    const { app, route } = setup();
    const at = (tenant: number) => ({
      route,
      baseUrl: `/tenants/${tenant}/api`,
      originalUrl: `/tenants/${tenant}/api/users/1`,
    });
    for (let tenant = 0; tenant < 40; tenant++) routeTemplate({ ...at(tenant), app }, app);
    expect(routeTemplate(at(39), undefined)).toBe('/tenants/:tenantId/api/users/:id');
    expect(routeTemplate(at(0), undefined)).toBe('/users/:id');
  });

  it('names nothing without a route', () => {
    const { app } = setup();
    expect(routeTemplate({ baseUrl: '', originalUrl: '/users/1', app }, app)).toBeUndefined();
  });
});
