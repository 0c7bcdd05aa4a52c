/**
 * The parts of Express 4 and Express 5 (the `router` package) internals that
 * route naming reads. Everything is optional: it is only ever read, never
 * written, and a shape that does not fit simply yields no route.
 */

/** `req.route`: the Route object that handled the request. */
export interface ExpressRoute {
  path?: unknown;
}

/** Express 5 (`router` package): a pure function of the path. */
export type Matcher = (path: string) => { path: string; params: Record<string, unknown> } | false;

/** One entry of a router's stack, in either major. */
export interface ExpressLayer {
  /** Set on the layer that dispatches to a Route. */
  route?: ExpressRoute;
  /** The middleware, router, app or `mounted_app` closure. */
  handle?: unknown;
  name?: string;
  /** Express 4: the compiled path, its keys, and fast-path flags Express sets on it. */
  regexp?: RegExp & { fast_slash?: boolean; fast_star?: boolean };
  keys?: Array<{ name: string | number }>;
  /** Express 5: one matcher per path, and the `use('/')` fast path. */
  matchers?: Matcher[];
  slash?: boolean;
  /** Express 5 with router >= 2.3: the path as written (flattened when an array). */
  rawPath?: unknown;
}

export interface ExpressRouter {
  stack?: ExpressLayer[];
}

/** An Express application (the function returned by `express()`). */
export interface ExpressApp {
  handle?: unknown;
  set?: unknown;
  parent?: ExpressApp;
  mountpath?: unknown;
  /** Express 4 only. */
  lazyrouter?: unknown;
  _router?: ExpressRouter;
  /** Express 5 only (Express 4 has a getter here that throws). */
  router?: ExpressRouter;
}

export function isExpressApp(value: unknown): value is ExpressApp {
  return (
    typeof value === 'function' &&
    typeof (value as ExpressApp).handle === 'function' &&
    typeof (value as ExpressApp).set === 'function'
  );
}

/** The app's root router; Express 4's `app.router` is a getter that throws, so it is never read there. */
export function routerOf(app: ExpressApp): ExpressRouter | undefined {
  if (typeof app.lazyrouter === 'function') return app._router;
  return app._router ?? app.router;
}

export function isRouter(value: unknown): value is ExpressRouter {
  return typeof value === 'function' && Array.isArray((value as ExpressRouter).stack);
}
