import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import * as nodeModule from 'node:module';
import { currentSpan } from '../context/current';
import { singleton } from '../internal/global';
import { injectContext } from '../propagation/propagator';
import type { Span } from '../span';
import type { ClientPolicy } from './client-policy';
import { redactQuery } from './internal/redact';

interface UndiciRequest {
  origin?: string | URL;
  path?: string;
  method?: string;
  headers?: string[] | string;
  addHeader?(name: string, value: string): unknown;
}

interface InstrumentationState {
  installed: boolean;
  uninstall?: () => void;
}

const state = singleton<InstrumentationState>('httpClients.v2', () => ({ installed: false }));

/** Client spans by request object; a WeakMap so a dropped request never leaks its span. */
const spans = singleton('httpClientSpans', () => new WeakMap<object, Span>());

/**
 * Installs, once per process, the hooks that give outgoing `fetch` (undici) and
 * `node:http`/`node:https` calls made inside a trace a `client` span and send
 * `traceparent` (plus `tracestate`/`baggage`) with them. `createTracer()` calls
 * it unless `outgoing: false`; what each call gets is decided by the calling
 * trace's tracer (`createTracer({ outgoing: { propagateTo } })`), never by a
 * process-wide setting. Uses Node's diagnostics_channel events; on Node
 * versions without `http.client.request.created` (Node 20), `http(s).request`/
 * `get` are wrapped once instead, because headers can no longer be added by
 * the time Node 20 publishes its request events. Calls made outside any trace,
 * or by the exporters, are never touched. Returns a function that uninstalls.
 *
 * @example
 * const tracer = createTracer({ serviceName: 'api', outgoing: { propagateTo: ['127.0.0.1'] } });
 * instrumentHttpClients(); // already done by createTracer; idempotent
 */
export function instrumentHttpClients(...args: unknown[]): () => void {
  if (args[0] !== undefined) {
    throw new TypeError(
      'tracewire: instrumentHttpClients() takes no options; which hosts receive trace context is set per tracer: createTracer({ outgoing: { propagateTo: [...] } }).',
    );
  }
  if (state.installed) return uninstall;
  state.installed = true;
  const undo: Array<() => void> = [];
  const on = (name: string, listener: (message: any) => void) => {
    subscribe(name, listener);
    undo.push(() => unsubscribe(name, listener));
  };

  on('undici:request:create', ({ request }: { request: UndiciRequest }) => {
    const parent = currentSpan();
    const policy = parent?.trace.clientPolicy;
    if (parent === undefined || policy === undefined) return;
    const url = undiciUrl(request);
    if (url === undefined) return;
    if (hasTraceparent(request.headers)) return;
    const span = startClientSpan(parent, policy, request.method ?? 'GET', url);
    spans.set(request, span);
    if (policy.propagate(url) && typeof request.addHeader === 'function') {
      const headers: Record<string, string> = {};
      injectContext(headers, span.spanContext());
      for (const name in headers) request.addHeader(name, headers[name]!);
    }
  });
  on(
    'undici:request:headers',
    ({ request, response }: { request: object; response: { statusCode: number } }) => {
      const span = spans.get(request);
      if (span !== undefined) setResponseStatus(span, response.statusCode);
    },
  );
  on('undici:request:trailers', ({ request }: { request: object }) => endClientSpan(request));
  on('undici:request:error', ({ request, error }: { request: object; error: unknown }) =>
    endClientSpan(request, error),
  );

  if (channel('http.client.request.created') && nodeHasCreatedEvent()) {
    on('http.client.request.created', ({ request }: { request: http.ClientRequest }) => {
      onNodeRequest(request);
    });
  } else {
    undo.push(wrapNodeClients());
  }
  on(
    'http.client.response.finish',
    ({ request, response }: { request: object; response: http.IncomingMessage }) => {
      const span = spans.get(request);
      if (span === undefined) return;
      setResponseStatus(span, response.statusCode ?? 0);
      endClientSpan(request);
    },
  );
  on('http.client.request.error', ({ request, error }: { request: object; error: unknown }) =>
    endClientSpan(request, error),
  );

  state.uninstall = () => {
    for (const fn of undo.reverse()) fn();
    state.installed = false;
  };
  return uninstall;
}

/**
 * True while `instrumentHttpClients()` is installed, so a bridge (the
 * OpenTelemetry one) can leave outgoing calls' client spans to it.
 */
export function isHttpClientInstrumented(): boolean {
  return state.installed;
}

function uninstall(): void {
  state.uninstall?.();
  state.uninstall = undefined;
}

/** Node 22.12+/23.2+ publish `http.client.request.created` before headers are sent. */
function nodeHasCreatedEvent(): boolean {
  const version = typeof process === 'object' ? process.versions?.node : undefined;
  if (typeof version !== 'string') return false;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 2) || (major === 22 && minor >= 12);
}

function onNodeRequest(request: http.ClientRequest): void {
  const parent = currentSpan();
  const policy = parent?.trace.clientPolicy;
  if (parent === undefined || policy === undefined || spans.has(request)) return;
  if (request.getHeader('traceparent') !== undefined) return;
  const url = nodeUrl(request);
  const span = startClientSpan(parent, policy, request.method ?? 'GET', url);
  spans.set(request, span);
  if (url !== undefined && !policy.propagate(url)) return;
  if (request.headersSent) return;
  const headers: Record<string, string> = {};
  injectContext(headers, span.spanContext());
  try {
    for (const name in headers) request.setHeader(name, headers[name]!);
  } catch {
    // Headers given as a raw array are already serialised; the call goes out unpropagated.
  }
}

/** The Node 20 fallback: one wrapper around `request` and `get` of http and https. */
function wrapNodeClients(): () => void {
  const restore: Array<() => void> = [];
  for (const mod of [http, https] as Array<typeof http>) {
    const originalRequest = mod.request;
    const originalGet = mod.get;
    const request = function (this: unknown, ...args: unknown[]) {
      const req = (originalRequest as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      try {
        onNodeRequest(req);
      } catch {
        // Tracing never breaks an outgoing call.
      }
      return req;
    } as typeof http.request;
    const get = function (this: unknown, ...args: unknown[]) {
      const req = (request as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      req.end();
      return req;
    } as typeof http.get;
    try {
      mod.request = request;
      mod.get = get;
    } catch {
      // A runtime whose node:http exports are read-only: its calls go out unpropagated.
      continue;
    }
    restore.push(() => {
      if (mod.request === request) mod.request = originalRequest;
      if (mod.get === get) mod.get = originalGet;
    });
  }
  syncEsm();
  return () => {
    for (const fn of restore) fn();
    syncEsm();
  };
}

/**
 * Makes `import { request } from 'node:http'` see the wrappers. Absent outside
 * Node, and present but throwing "not implemented" on workerd (`nodejs_compat`):
 * there ESM imports keep the originals, which is all that is lost.
 */
function syncEsm(): void {
  try {
    (nodeModule as { syncBuiltinESMExports?: () => void }).syncBuiltinESMExports?.();
  } catch {
    // See above: never let a runtime's stub throw into the app.
  }
}

function startClientSpan(
  parent: Span,
  policy: ClientPolicy,
  method: string,
  url: URL | undefined,
): Span {
  const name = url ? `${method} ${url.host}` : method;
  const span = parent.trace.startSpan(name, { kind: 'client' }, parent);
  if (span.isRecording) {
    span.setAttribute('http.request.method', method);
    if (url) {
      const query = url.search.length > 1 ? url.search.slice(1) : '';
      const redacted = query
        ? `?${redactQuery(query, policy.redactQuery, policy.replacement)}`
        : '';
      span.setAttribute('url.full', `${url.origin}${url.pathname}${redacted}`);
      span.setAttribute('server.address', url.hostname);
      span.setAttribute(
        'server.port',
        url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      );
    }
  }
  return span;
}

function setResponseStatus(span: Span, statusCode: number): void {
  span.setAttribute('http.response.status_code', statusCode);
  // For a client, 4xx and 5xx both mean the call failed (OpenTelemetry's HTTP conventions).
  if (statusCode >= 400) {
    span.setStatus('error', `HTTP ${statusCode}`);
    span.setAttribute('error.type', String(statusCode));
  }
}

function endClientSpan(request: object, error?: unknown): void {
  const span = spans.get(request);
  if (span === undefined) return;
  spans.delete(request);
  if (error !== undefined) span.setError(error);
  span.end();
}

function undiciUrl(request: UndiciRequest): URL | undefined {
  try {
    return new URL(request.path ?? '/', request.origin);
  } catch {
    return undefined;
  }
}

function nodeUrl(request: http.ClientRequest): URL | undefined {
  try {
    const protocol = (request as { protocol?: string }).protocol ?? 'http:';
    const host = request.getHeader('host') ?? (request as { host?: string }).host ?? 'localhost';
    return new URL(request.path, `${protocol}//${String(host)}`);
  } catch {
    return undefined;
  }
}

function hasTraceparent(headers: UndiciRequest['headers']): boolean {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === 'traceparent') return true;
    }
    return false;
  }
  return typeof headers === 'string' && headers.toLowerCase().includes('traceparent:');
}
