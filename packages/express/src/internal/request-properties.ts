import { isExpressApp } from './express-shapes';
import { tracedRequest } from './router-errors';

/** Request prototypes (`app.request`) that already read `trace` and `span` from the weak map, and their app. */
const exposed = new WeakMap<object, object>();

/**
 * Makes `req.trace` and `req.span` readable without adding them to `req`:
 * as getters on `app.request`, the prototype Express gives every request of
 * the app (and of its sub-apps, whose `request` inherits from it). Adding two
 * properties to each request after Express swapped its prototype cost about
 * 20,000 instructions per request (V8 builds new hidden classes for them).
 * Returns that app, known from the prototype alone once exposed, so `req.app`
 * is not read per request (on Express's per-request hidden classes each read
 * is an inline-cache miss). Undefined when `req`'s prototype is not its app's
 * `request`, or when the app defines either name itself: the caller then sets
 * them on `req` as before. Assigning to either on a request makes it an
 * ordinary property of that request.
 */
export function exposeOnRequests(req: object): object | undefined {
  const proto = Object.getPrototypeOf(req) as object | null;
  if (proto === null) return undefined;
  const known = exposed.get(proto);
  if (known !== undefined) return known;
  const app = (req as { app?: unknown }).app;
  if (!isExpressApp(app) || (app as { request?: unknown }).request !== proto) return undefined;
  if (definedElsewhere(proto, 'trace') || definedElsewhere(proto, 'span')) return undefined;
  try {
    define(proto, 'trace', (request) => request.trace);
    define(proto, 'span', (request) => request.span);
  } catch {
    // A frozen or exotic prototype: the caller sets the properties on each request.
    return undefined;
  }
  exposed.set(proto, app);
  return app;
}

/** `name` on `proto` or its chain, other than the getters of an exposed ancestor (a sub-app's parent). */
function definedElsewhere(proto: object, name: string): boolean {
  for (let p: object | null = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    if (exposed.has(p)) return false;
    if (Object.hasOwn(p, name)) return true;
  }
  return false;
}

function define(
  proto: object,
  name: 'trace' | 'span',
  read: (request: NonNullable<ReturnType<typeof tracedRequest>>) => unknown,
): void {
  Object.defineProperty(proto, name, {
    configurable: true,
    enumerable: false,
    get(this: object) {
      const request = tracedRequest(this);
      return request === undefined ? undefined : read(request);
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, name, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    },
  });
}
