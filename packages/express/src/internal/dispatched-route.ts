import { subscribe } from 'node:diagnostics_channel';
import { join, pathText, trimTrailingSlash } from './route-text';

/**
 * Express 5 with router >= 2.3: the route template as the router dispatches.
 * Before it calls a layer, the router publishes `start` on this tracing
 * channel with the request and the pattern the layer matched (`route`), one
 * pattern per mount level; the full template is those patterns joined along
 * the mounts the request went through. Nothing is decompiled or probed.
 */
const ROUTER_START = 'tracing:express.router.request:start';

/** One mount the request entered: `req.baseUrl` inside it, and its template. */
interface Level {
  base: string;
  template: string;
}

/** What one traced request has dispatched through so far. */
interface Dispatch {
  /** Mounts in the order entered; the first is the app's root. */
  levels: Level[];
  /** The Route of the last route handler started, the pattern it matched, and its mount. */
  route: object | undefined;
  pattern: unknown;
  level: Level | undefined;
}

/** The router's `start` message (router 2.3, lib/layer.js and index.js). */
interface StartMessage {
  req?: { baseUrl?: unknown; route?: unknown };
  layer?: { slash?: unknown; match?: unknown; route?: unknown };
  handler?: unknown;
  route?: unknown;
  param?: unknown;
  errorHandler?: unknown;
}

/** A request rarely crosses more mounts; past this, naming falls back to reconstruction. */
const MAX_LEVELS = 32;

const ROOT: Level = Object.freeze({ base: '', template: '' });

const dispatches = new WeakMap<object, Dispatch>();
let listening = false;

/** Subscribes once per process to the router's `start` events. */
export function listenForDispatch(): void {
  if (listening) return;
  listening = true;
  try {
    subscribe(ROUTER_START, onStart);
  } catch {
    // Without diagnostics_channel support, routes are reconstructed instead.
  }
}

/**
 * Follows `req` through the router from here on. Only a request that enters
 * at the root (`req.baseUrl` empty) is followed: for a `tracing()` installed
 * inside a mounted router, the mounts above it were dispatched already.
 */
export function followDispatch(req: object): void {
  const baseUrl = (req as { baseUrl?: unknown }).baseUrl;
  if (!listening || (baseUrl !== undefined && baseUrl !== '')) return;
  dispatches.set(req, {
    levels: [ROOT],
    route: undefined,
    pattern: undefined,
    level: undefined,
  });
}

/**
 * The full template of the route `req.route`, as dispatched; undefined when
 * the request was not followed or its route was not seen starting (router
 * before 2.3, Express 4), so the caller reconstructs it instead.
 */
export function dispatchedTemplate(req: { route?: unknown }): string | undefined {
  const dispatch = dispatches.get(req);
  if (dispatch === undefined || dispatch.level === undefined) return undefined;
  if (dispatch.route !== req.route) return undefined;
  return join(dispatch.level.template, pathText(dispatch.pattern));
}

function onStart(message: unknown): void {
  try {
    const ctx = message as StartMessage;
    const req = ctx.req;
    if (req === undefined || ctx.errorHandler === true) return;
    const dispatch = dispatches.get(req);
    if (dispatch === undefined) return;
    const layer = ctx.layer;
    if (layer === undefined || layer === null) return;
    const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
    // `app.param()` callbacks run before the layer: a route's may fail it before
    // any handler starts; a mount's run before `req.baseUrl` takes its part.
    if (ctx.param !== undefined) {
      if (layer.route !== undefined) onRouteHandler(dispatch, layer.route, ctx.route, base);
    }
    // Handlers inside a Route are the only layers the router gives a `method`.
    else if (Object.hasOwn(layer, 'method')) onRouteHandler(dispatch, req.route, ctx.route, base);
    else if (layer.slash !== true && mounts(ctx.handler)) onMount(dispatch, layer, ctx.route, base);
  } catch {
    // Naming is best-effort; the router's dispatch must never see an error from here.
  }
}

/** A route handler starts: remember its route, pattern and the mount it runs in (the latest at its base). */
function onRouteHandler(dispatch: Dispatch, route: unknown, pattern: unknown, base: string): void {
  if (route === null || typeof route !== 'object') return;
  dispatch.route = route;
  dispatch.pattern = pattern;
  dispatch.level = latestAt(dispatch.levels, base);
}

/**
 * A layer mounted on a path starts, `req.baseUrl` already extended by what it
 * consumed. Its parent is the latest mount whose base, followed by a part the
 * layer itself matches, gives that baseUrl: the latest mount entered may have
 * been left already (`next('router')`, no matching route).
 */
function onMount(dispatch: Dispatch, layer: object, pattern: unknown, base: string): void {
  const levels = dispatch.levels;
  if (levels.length >= MAX_LEVELS) return;
  const parent = parentOf(levels, layer as { match?: unknown }, base);
  if (parent === undefined) return;
  levels.push({ base, template: join(parent.template, mountText(pattern)) });
}

/**
 * A router, or the closure Express 5 mounts a sub-app with. Middleware on a
 * path is no mount: routes never run inside it, and a pattern that can match
 * nothing (`{/en}`) would otherwise pass for one.
 */
function mounts(handler: unknown): boolean {
  if (typeof handler !== 'function') return false;
  return Array.isArray((handler as { stack?: unknown }).stack) || handler.name === 'mounted_app';
}

function parentOf(levels: Level[], layer: { match?: unknown }, base: string): Level | undefined {
  for (let i = levels.length - 1; i >= 0; i--) {
    const level = levels[i] as Level;
    if (!base.startsWith(level.base)) continue;
    // The root is every mount's last resort; any other candidate must be proven.
    if (i === 0 || consumes(layer, base.slice(level.base.length))) return level;
  }
  return undefined;
}

/** Whether the layer, matching against `part`, consumes exactly `part`. */
function consumes(layer: { match?: unknown }, part: string): boolean {
  if (typeof layer.match !== 'function') return false;
  const match = (layer.match as (path: string) => { path?: unknown } | false)(part);
  return match !== false && match !== null && match !== undefined && match.path === part;
}

function latestAt(levels: Level[], base: string): Level | undefined {
  for (let i = levels.length - 1; i >= 0; i--) {
    if ((levels[i] as Level).base === base) return levels[i];
  }
  return undefined;
}

function mountText(pattern: unknown): string {
  return typeof pattern === 'string' ? trimTrailingSlash(pattern) : pathText(pattern);
}
