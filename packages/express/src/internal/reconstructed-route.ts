import {
  type ExpressApp,
  type ExpressLayer,
  type ExpressRoute,
  type ExpressRouter,
  isExpressApp,
  isRouter,
  type Matcher,
  routerOf,
} from './express-shapes';
import { join, pathText, trimTrailingSlash } from './route-text';

/** What route naming reads from `req` when the response ends. */
export interface RequestShape {
  route?: unknown;
  baseUrl?: unknown;
  originalUrl?: unknown;
  url?: unknown;
  app?: unknown;
}

interface Found {
  template: string;
  /** The raw path the mounts consumed; equals `req.baseUrl` while the route's router is still active. */
  prefix: string;
  /** False when the template depends on more than (route, baseUrl): an array of route paths. */
  cacheable: boolean;
}

interface MountMatch {
  /** The part of the path the mount consumed. */
  path: string;
  /** Express 5: the matcher's parameters, and which of the layer's paths matched. */
  params?: Record<string, unknown>;
  index?: number;
}

const MAX_DEPTH = 32;
const LOOKAHEAD = '(?=\\/|$)';
const REGEXP_SYNTAX = /[()[\]|?*+{}^$]/;
const TEMPLATES_PER_ROUTE = 32;

/** Route -> baseUrl -> template. Keyed weakly by Express's own Route objects, each map bounded. */
const templates = new WeakMap<object, Map<string, string>>();
/** Sub-apps by parent: Express mounts them through a closure, so the walk learns them from `req.app`. */
const subApps = new WeakMap<ExpressApp, Set<ExpressApp>>();
const indexedRegExps = new WeakMap<RegExp, RegExp>();
const writtenPaths = new WeakMap<RegExp, string | null>();
const alternatives = new WeakMap<object, RegExp[] | null>();

/**
 * Express 4, Express 5 before router 2.3, and `routerErrors: false`: the full
 * route template (`/api/v1/users/:id`) of the Route that handled the request,
 * reconstructed after the fact from Express's own router data (decompiled
 * RegExps, probed matchers) without changing it. Undefined when no route
 * handled the request (404, or answered by middleware).
 */
export function reconstructedTemplate(req: RequestShape, tracedApp: unknown): string | undefined {
  const route = req.route;
  if (route === null || typeof route !== 'object') return undefined;
  const baseUrl = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  const known = templates.get(route)?.get(baseUrl);
  if (known !== undefined) return known;

  const current = isExpressApp(req.app) ? req.app : undefined;
  if (current !== undefined) rememberApp(current);
  const start = current ?? (isExpressApp(tracedApp) ? tracedApp : undefined);
  let found: Found | undefined;
  if (start !== undefined) {
    const root = rootOf(start);
    const path = pathnameOf(req);
    found = searchApp(root, path, route, 0, false) ?? searchApp(root, path, route, 0, true);
  }
  if (found === undefined) return pathText((route as ExpressRoute).path);
  if (found.cacheable && found.prefix === baseUrl) remember(route, baseUrl, found.template);
  return found.template;
}

/** Records `app` and its ancestors, so the walk can descend into sub-apps mounted with `app.use(path, subApp)`. */
export function rememberApp(app: ExpressApp): void {
  let child = app;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const parent = child.parent;
    if (!isExpressApp(parent)) return;
    let known = subApps.get(parent);
    if (known === undefined) {
      known = new Set();
      subApps.set(parent, known);
    }
    if (known.has(child)) return;
    known.add(child);
    child = parent;
  }
}

function rootOf(app: ExpressApp): ExpressApp {
  let root = app;
  for (let depth = 0; depth < MAX_DEPTH && isExpressApp(root.parent); depth++) root = root.parent;
  return root;
}

function remember(route: object, baseUrl: string, template: string): void {
  let byBase = templates.get(route);
  if (byBase === undefined) {
    byBase = new Map();
    templates.set(route, byBase);
  } else if (byBase.size >= TEMPLATES_PER_ROUTE) {
    // Mount paths with parameters give one baseUrl per value; keep the newest few.
    byBase.delete(byBase.keys().next().value as string);
  }
  byBase.set(baseUrl, template);
}

function searchApp(
  app: ExpressApp,
  path: string,
  route: object,
  depth: number,
  blind: boolean,
): Found | undefined {
  const router = routerOf(app);
  return router === undefined ? undefined : searchRouter(router, app, path, route, depth, blind);
}

/**
 * Depth-first, in stack order, the way Express dispatches: the first layer
 * chain that reaches `route`. `blind` is the second pass, for a sub-app never
 * seen as `req.app` (its error escaped to the parent's handlers on its first
 * request): assume the route sits directly in the first matching sub-app.
 */
function searchRouter(
  router: ExpressRouter,
  app: ExpressApp,
  path: string,
  route: object,
  depth: number,
  blind: boolean,
): Found | undefined {
  const stack = router.stack;
  if (!Array.isArray(stack) || depth > MAX_DEPTH) return undefined;
  for (const layer of stack) {
    if (layer === null || typeof layer !== 'object') continue;
    if (layer.route !== undefined) {
      if (layer.route !== route) continue;
      const chosen = matchRoute(layer, route as ExpressRoute, path);
      if (chosen !== undefined)
        return { template: chosen.template, prefix: '', cacheable: chosen.cacheable };
      continue;
    }
    const handle = layer.handle;
    const mountsRouter = isRouter(handle);
    const mountsApp = !mountsRouter && isExpressApp(handle);
    const mountsClosure =
      !mountsRouter &&
      !mountsApp &&
      (layer.name === 'mounted_app' || nameOf(handle) === 'mounted_app');
    if (!mountsRouter && !mountsApp && !mountsClosure) continue;
    const mount = matchMount(layer, path);
    if (mount === undefined) continue;
    const rest = restAfter(mount.path, path, layer.regexp !== undefined);
    if (rest === undefined) continue;
    let inner: Found | undefined;
    if (mountsRouter) inner = searchRouter(handle, app, rest, route, depth + 1, blind);
    else if (mountsApp) inner = searchApp(handle, rest, route, depth + 1, blind);
    else {
      for (const child of subApps.get(app) ?? []) {
        inner = searchApp(child, rest, route, depth + 1, blind);
        if (inner !== undefined) break;
      }
      if (inner === undefined && blind) {
        inner = { template: pathText((route as ExpressRoute).path), prefix: '', cacheable: false };
      }
    }
    if (inner === undefined) continue;
    return {
      template: join(mountTemplate(layer, mount, path), inner.template),
      prefix: trimTrailingSlash(mount.path) + inner.prefix,
      cacheable: inner.cacheable,
    };
  }
  return undefined;
}

/** Mirrors Express's trim_prefix: the match must end on a segment boundary. */
function restAfter(matched: string, path: string, express4: boolean): string | undefined {
  if (matched.length === 0) return path;
  if (path.slice(0, matched.length) !== matched) return undefined;
  const next = path[matched.length];
  if (next !== undefined && next !== '/' && !(express4 && next === '.')) return undefined;
  const rest = path.slice(matched.length);
  return rest[0] === '/' ? rest : `/${rest}`;
}

function matchMount(layer: ExpressLayer, path: string): MountMatch | undefined {
  const regexp = layer.regexp;
  if (regexp instanceof RegExp) {
    if (regexp.fast_slash) return { path: '' };
    if (regexp.fast_star) return { path };
    const match = execPure(regexp, path);
    return match === null ? undefined : { path: match[0] };
  }
  if (layer.slash === true) return { path: '' };
  const matchers = layer.matchers;
  if (!Array.isArray(matchers)) return undefined;
  for (let index = 0; index < matchers.length; index++) {
    const result = callMatcher(matchers[index], path);
    if (result) return { path: result.path, params: result.params, index };
  }
  return undefined;
}

/** Which of the route's paths matches the rest of the request path, as text. */
function matchRoute(
  layer: ExpressLayer,
  route: ExpressRoute,
  path: string,
): { template: string; cacheable: boolean } | undefined {
  const declared = route.path;
  const paths = Array.isArray(declared)
    ? (declared.flat(Number.POSITIVE_INFINITY) as unknown[])
    : undefined;
  const regexp = layer.regexp;
  if (regexp instanceof RegExp) {
    if (!regexp.fast_star && execPure(regexp, path) === null) return undefined;
    if (paths === undefined) return { template: pathText(declared), cacheable: true };
    const index = express4Alternative(route, regexp, paths.length, path);
    return {
      template: index === undefined ? pathText(declared) : pathText(paths[index]),
      cacheable: false,
    };
  }
  const matchers = layer.matchers;
  if (!Array.isArray(matchers)) return undefined;
  for (let index = 0; index < matchers.length; index++) {
    if (!callMatcher(matchers[index], path)) continue;
    if (paths === undefined) return { template: pathText(declared), cacheable: true };
    const raw = Array.isArray(layer.rawPath) ? (layer.rawPath as unknown[]) : paths;
    return { template: pathText(raw[index] ?? declared), cacheable: false };
  }
  return undefined;
}

/**
 * Express 4 compiles an array of paths into one RegExp joined with `|`; split it
 * back (at top level only) to learn which path matched.
 */
function express4Alternative(
  route: object,
  regexp: RegExp,
  count: number,
  path: string,
): number | undefined {
  let parts = alternatives.get(route);
  if (parts === undefined) {
    const sources = splitTopLevel(regexp.source);
    parts = null;
    if (sources.length === count) {
      try {
        const flags = regexp.flags.replace(/[gy]/g, '');
        parts = sources.map((source) => new RegExp(source, flags));
      } catch {
        parts = null;
      }
    }
    alternatives.set(route, parts);
  }
  if (parts === null) return undefined;
  const index = parts.findIndex((part) => part.test(path));
  return index === -1 ? undefined : index;
}

function splitTopLevel(source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(source.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(source.slice(start));
  return parts;
}

/** The template of one mount: the path as written when Express kept it, else the matched path with parameter names put back. */
function mountTemplate(layer: ExpressLayer, mount: MountMatch, path: string): string {
  const regexp = layer.regexp;
  if (regexp instanceof RegExp) {
    if (regexp.fast_slash) return '';
    if (regexp.fast_star) return '/*';
    if (!isCompiledFromString(regexp)) return String(regexp);
    const keys = layer.keys ?? [];
    let written = writtenPaths.get(regexp);
    if (written === undefined) {
      written = decompile(regexp.source, keys) ?? null;
      writtenPaths.set(regexp, written);
    }
    if (written !== null) return trimTrailingSlash(written);
    // Unusual syntax: the matched path with names put back, in one case so a
    // case-insensitive mount cannot multiply names.
    const substituted = substituteByIndices(regexp, keys, path) ?? mount.path;
    return trimTrailingSlash(regexp.ignoreCase ? substituted.toLowerCase() : substituted);
  }
  if (layer.slash === true) return '';
  const raw = layer.rawPath;
  if (raw !== undefined) {
    const written = Array.isArray(raw) ? raw[mount.index ?? 0] : raw;
    if (typeof written === 'string') return trimTrailingSlash(written);
    if (written instanceof RegExp) return String(written);
  }
  const matcher = layer.matchers?.[mount.index ?? 0];
  // router 2.2 compiles a RegExp mount into a closure that hides the RegExp:
  // a bounded name beats one holding whatever the RegExp matched.
  if (matcher?.name === 'regexpMatcher') return '/*';
  return trimTrailingSlash(substituteBySegments(mount.path, mount.params ?? {}, matcher));
}

/**
 * Express 4 only: path-to-regexp 0.1 turns a string mount path into a RegExp
 * ending in this lookahead; a RegExp given by the user is kept as it is.
 */
function isCompiledFromString(regexp: RegExp): boolean {
  return regexp.source.startsWith('^') && regexp.source.endsWith(LOOKAHEAD);
}

/**
 * Express 4: the mount path as written, read back from the RegExp that
 * path-to-regexp 0.1 compiled it to (its `keys` give each parameter's offset).
 * Undefined for syntax beyond plain segments, `:name`, `:name?`, `:name*`,
 * `.:ext`, `:name(regex)` and `*`.
 */
function decompile(
  source: string,
  keys: Array<{ name: string | number; offset?: number }>,
): string | undefined {
  let body = source.slice(1, -LOOKAHEAD.length).replace(/\\\//g, '/');
  // Mounts are never strict: path-to-regexp appended an optional trailing slash.
  if (body.endsWith('/?')) body = body.slice(0, -2);
  let out = '';
  let at = 0;
  for (const key of keys) {
    const offset = key.offset;
    if (typeof offset !== 'number' || offset < at) continue;
    const literal = unescapeLiteral(body.slice(at, offset));
    const end = groupEnd(body, offset);
    if (literal === undefined || end === -1) return undefined;
    const group = body.slice(offset, end);
    const optional = body[end] === '?';
    out += literal;
    if (typeof key.name === 'number') out += group === '(.*)' ? '*' : group;
    else {
      const inner = group.slice(3);
      out += `${inner.startsWith('\\.') ? '.' : inner.startsWith('/') ? '/' : ''}:${key.name}`;
      if (group.includes('((?:[/')) out += '*';
      if (optional) out += '?';
    }
    at = optional ? end + 1 : end;
  }
  const tail = unescapeLiteral(body.slice(at));
  return tail === undefined ? undefined : out + tail;
}

/** Index just past the group opening at `start`, or -1. */
function groupEnd(body: string, start: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = start; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

function unescapeLiteral(text: string): string | undefined {
  const plain = text.replace(/\\./g, '');
  if (REGEXP_SYNTAX.test(plain)) return undefined;
  return text.replace(/\\(.)/g, '$1');
}

/** Express 4: replace each captured parameter by `:name` at the exact place it was captured. */
function substituteByIndices(
  regexp: RegExp,
  keys: Array<{ name: string | number }>,
  path: string,
): string | undefined {
  let indexed = indexedRegExps.get(regexp);
  if (indexed === undefined) {
    indexed = new RegExp(regexp.source, `${regexp.flags.replace(/[dgy]/g, '')}d`);
    indexedRegExps.set(regexp, indexed);
  }
  const match = indexed.exec(path);
  const indices = match?.indices;
  if (match === null || indices === undefined) return undefined;
  const matched = match[0];
  let out = '';
  let at = 0;
  for (let group = 1; group < indices.length; group++) {
    const range = indices[group];
    const key = keys[group - 1];
    // Nested groups (e.g. `:name*`) sit inside a range already replaced.
    if (range === undefined || key === undefined || range[0] < at) continue;
    out += matched.slice(at, range[0]) + (typeof key.name === 'number' ? '*' : `:${key.name}`);
    at = range[1];
  }
  return out + matched.slice(at);
}

/**
 * Express 5 before router 2.3 keeps no written path: put parameter names back
 * into the matched path, segment-aligned and left to right. Each placement is
 * checked with the layer's own (pure) matcher: with a marker in that place,
 * the parameter must capture the marker, so a value that equals a literal
 * segment (`/tenants/tenants`) is put in the right place.
 */
function substituteBySegments(
  matched: string,
  params: Record<string, unknown>,
  matcher: Matcher | undefined,
): string {
  const segments = matched.split('/');
  let cursor = 1;
  for (const name of Object.keys(params)) {
    const value = params[name];
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || values.some((v) => typeof v !== 'string' || v === '')) continue;
    const whole = placeWhole(segments, values, cursor, name, matcher, Array.isArray(value));
    if (whole !== -1) cursor = whole + 1;
    else if (typeof value === 'string') {
      const inside = placeInside(segments, value, cursor, name, matcher);
      if (inside !== -1) cursor = inside;
    }
  }
  return segments.join('/');
}

/** A parameter that is whole segments (`:id`, `*rest`). Returns where it went, or -1. */
function placeWhole(
  segments: string[],
  values: unknown[],
  from: number,
  name: string,
  matcher: Matcher | undefined,
  splat: boolean,
): number {
  for (let at = from; at + values.length <= segments.length; at++) {
    if (!values.every((v, i) => decode(segments[at + i] as string) === v)) continue;
    const probe = [...segments.slice(0, at), MARKER, ...segments.slice(at + values.length)];
    if (matcher !== undefined && !captures(matcher, probe.join('/'), name)) continue;
    segments.splice(at, values.length, splat ? `*${name}` : `:${name}`);
    return at;
  }
  return -1;
}

/** A parameter inside a segment (`:name.:ext`). */
function placeInside(
  segments: string[],
  value: string,
  from: number,
  name: string,
  matcher: Matcher | undefined,
): number {
  for (let at = from; at < segments.length; at++) {
    const segment = decode(segments[at] as string);
    const index = segment.indexOf(value);
    if (index === -1) continue;
    const before = segment.slice(0, index);
    const after = segment.slice(index + value.length);
    const probe = [...segments.slice(0, at), before + MARKER + after, ...segments.slice(at + 1)];
    if (matcher !== undefined && !captures(matcher, probe.join('/'), name)) continue;
    segments[at] = `${before}:${name}${after}`;
    return at;
  }
  return -1;
}

const MARKER = 'tracewire-marker';

function captures(matcher: Matcher, probe: string, name: string): boolean {
  const result = callMatcher(matcher, probe);
  if (!result) return false;
  const captured = result.params[name];
  return Array.isArray(captured)
    ? captured.length === 1 && captured[0] === MARKER
    : captured === MARKER;
}

function callMatcher(matcher: Matcher | undefined, path: string): ReturnType<Matcher> {
  if (typeof matcher !== 'function') return false;
  try {
    return matcher(path);
  } catch {
    // A malformed escape fails Express's own matching too.
    return false;
  }
}

/** `exec` that leaves a global or sticky RegExp's `lastIndex` as Express had it. */
function execPure(regexp: RegExp, path: string): RegExpExecArray | null {
  if (!regexp.global && !regexp.sticky) return regexp.exec(path);
  const lastIndex = regexp.lastIndex;
  regexp.lastIndex = 0;
  try {
    return regexp.exec(path);
  } finally {
    regexp.lastIndex = lastIndex;
  }
}

function pathnameOf(req: RequestShape): string {
  let url =
    typeof req.originalUrl === 'string'
      ? req.originalUrl
      : typeof req.url === 'string'
        ? req.url
        : '/';
  if (url[0] !== '/') {
    // Absolute-form request target: drop scheme and host, as Express's router does.
    const scheme = url.indexOf('://');
    const slash = scheme === -1 ? -1 : url.indexOf('/', scheme + 3);
    url = slash === -1 ? '/' : url.slice(slash);
  }
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function nameOf(value: unknown): string | undefined {
  return typeof value === 'function' ? value.name : undefined;
}

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
