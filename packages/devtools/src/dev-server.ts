import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { consoleExporter, type TraceData } from '@tracewire/core';
import { decodeOtlpLogs, decodeOtlpTraces } from '@tracewire/otlp';
import { decodeBody, type Ingest } from './internal/decode-body';
import { type NormalizedBatch, PayloadError } from './internal/normalize';
import { PAGE_CSP, pageHtml } from './internal/page';
import { HttpError, readBody } from './internal/read-body';
import { crossOriginRefusal, isLoopback, isLoopbackHostHeader } from './internal/request-guards';
import { type TraceFile, traceFile } from './internal/trace-file';
import { createTraceStore, summarize, type TraceStore } from './trace-store';
import type { AssembledTrace, StoreEvent, TraceFilter } from './types';

export interface DevServerOptions {
  /** Default 4318, the OTLP/HTTP port, so OpenTelemetry SDKs find it unconfigured. 0 picks a free port. */
  port?: number;
  /** Default `127.0.0.1`: only this machine can send or look. */
  host?: string;
  /** JSON Lines file the received batches are appended to and replayed from on start. */
  file?: string;
  /** Traces kept in memory, oldest evicted. Default 1000. */
  maxTraces?: number;
  /** Bytes (JSON) of traces and logs kept in memory, oldest evicted. Default 256 MiB. */
  maxBytes?: number;
  /** Bytes (JSON) one trace may hold before it is truncated, visibly. Default 16 MiB. */
  maxTraceBytes?: number;
  /** No waterfall per finished trace on the terminal. */
  quiet?: boolean;
  /** Called with each trace once no part of it has arrived for `settleMs`. */
  onTrace?: (trace: AssembledTrace) => void;
  /** Quiet time after a trace's latest part before it is printed. Default 1000 ms. */
  settleMs?: number;
  /** Largest accepted request body, after decompression. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Where waterfalls and warnings go. Default: standard output. */
  write?: (text: string) => void;
  /** ANSI colours in the terminal output. Default: when standard output is a colour terminal. */
  colors?: boolean;
}

export interface DevServer {
  /** `http://host:port`, where the page is and where exporters send. */
  url: string;
  port: number;
  store: TraceStore;
  /** Stops listening, ends live streams and writes out the trace file. */
  close(): Promise<void>;
}

const DEFAULT_PORT = 4318;
const DEFAULT_MAX_BODY = 16 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;
const PROTOBUF_HINT =
  'protobuf is accepted on the OTLP endpoints (/v1/traces, /v1/logs) only; ' +
  'the native format is JSON (POST /v1/tracewire)';

const INGEST_PATHS: Record<string, Ingest> = {
  '/': 'native',
  '/v1/tracewire': 'native',
  '/v1/traces': 'otlp-traces',
  '/v1/logs': 'otlp-logs',
};

/**
 * Starts the local development collector: it receives traces from every
 * service on the machine (native JSON on `/v1/tracewire`, OTLP/HTTP protobuf
 * or JSON on `/v1/traces` and `/v1/logs`), assembles each request across services,
 * prints a waterfall per finished trace and serves a live trace viewer at `/`.
 *
 * @example
 * const dev = await startDevServer({ port: 0, quiet: true });
 * // point exporters at `${dev.url}/v1/tracewire`, then:
 * const trace = await dev.store.waitFor((t) => t.services.length === 3);
 * await dev.close();
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const opts = validate(options);
  const write = opts.write ?? ((text: string) => void process.stdout.write(text));
  const colors = opts.colors ?? defaultColors();
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const store = createTraceStore({
    ...(opts.maxTraces === undefined ? {} : { maxTraces: opts.maxTraces }),
    ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
    ...(opts.maxTraceBytes === undefined ? {} : { maxTraceBytes: opts.maxTraceBytes }),
    ...(opts.settleMs === undefined ? {} : { settleMs: opts.settleMs }),
  });

  const warned = new Set<string>();
  const warn = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    safely(() => write(`tracewire dev: ${message}\n`));
  };

  let file: TraceFile | undefined;
  if (opts.file !== undefined) {
    file = traceFile(opts.file, (error) =>
      warn(`could not append to ${opts.file}: ${error.message} (traces stay in memory)`),
    );
    let loaded: Awaited<ReturnType<TraceFile['load']>>;
    try {
      loaded = await file.load((batch) => store.ingest(batch, { replayed: true }));
    } catch (error) {
      throw new Error(
        `tracewire dev: could not read --file ${opts.file}: ${(error as Error).message}. ` +
          'Pass a readable file path, or omit --file to keep traces in memory only.',
      );
    }
    if (loaded.skipped > 0) {
      warn(`skipped ${loaded.skipped} unreadable line(s) in ${opts.file}`);
    }
  }

  const printer = consoleExporter({ write, colors });
  // Known once listening; nothing is printed before that.
  let viewerUrl = '';
  const sse = new Set<ServerResponse>();
  const broadcast = (event: string, data: unknown) => {
    if (sse.size === 0) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of sse) res.write(frame);
  };
  const onStoreEvent = (event: StoreEvent) => {
    switch (event.type) {
      case 'trace':
        broadcast('trace', summarize(event.trace));
        return;
      case 'finish':
        broadcast('trace', summarize(event.trace));
        if (event.replayed) return;
        if (!opts.quiet) {
          printer.export({ traces: [forTerminal(event.trace)], logs: [] });
          safely(() => write(`${paint(`  ↳ ${viewerUrl}/trace/${event.trace.id}`, colors)}\n\n`));
        }
        if (opts.onTrace) safely(() => opts.onTrace!(event.trace));
        return;
      case 'evict':
        broadcast('evict', { id: event.id });
        return;
      case 'log':
        broadcast('log', event.log);
        if (!opts.quiet) printer.export({ traces: [], logs: [event.log] });
        return;
      case 'clear':
        broadcast('clear', {});
        return;
    }
  };
  store.subscribe(onStoreEvent);

  const host = opts.host ?? '127.0.0.1';
  const checkHost = isLoopback(host);
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      safely(() => {
        if (!res.headersSent) sendJson(res, 500, { error: `internal error: ${describe(error)}` });
        else res.destroy();
      });
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  // Exporters keep connections alive between batches; so do we, a little longer.
  server.keepAliveTimeout = 65_000;

  const heartbeat = setInterval(() => {
    for (const res of sse) res.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const viewerHost = (header: string | undefined) =>
    !checkHost || isLoopbackHostHeader(header, host);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';

    const ingest = INGEST_PATHS[path];
    // Exporters send neither header; a browser sends Origin with every POST and
    // DELETE, so a page on another origin cannot feed or clear the collector.
    if (method !== 'GET' && method !== 'HEAD') {
      const refusal = crossOriginRefusal(req, viewerHost);
      if (refusal) {
        req.resume();
        warn(`refused a ${method} from a web page (${refusal}); exporters send no Origin header`);
        return sendJson(res, 403, {
          error: `cross-origin requests are refused (${refusal}); only exporters and this viewer may send`,
        });
      }
    }
    if (method === 'POST') {
      if (ingest) return receive(req, res, ingest);
      return sendJson(res, 404, { error: `no such endpoint: POST ${path}` });
    }
    if (ingest && path !== '/' && method !== 'GET' && method !== 'HEAD') {
      return methodNotAllowed(res, 'POST');
    }

    // The viewer and its API hold whatever the services recorded; a web page
    // on another origin must not read them through DNS rebinding.
    if (!viewerHost(req.headers.host)) {
      return sendJson(res, 403, { error: 'forbidden host; open the viewer on 127.0.0.1' });
    }
    if (method === 'DELETE' && path === '/api/traces') {
      store.clear();
      res.writeHead(204).end();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      return methodNotAllowed(res, path === '/api/traces' ? 'GET, HEAD, DELETE' : 'GET, HEAD');
    }

    const traceLink = path.startsWith('/trace/') ? pathSegment(path.slice(7)) : undefined;
    if (path === '/' || path === '/index.html' || traceLink !== undefined) {
      // A trace's own address carries the trace, so the page shows it before any fetch.
      const page =
        traceLink === undefined
          ? pageHtml()
          : pageHtml({
              id: traceLink,
              trace: store.get(traceLink) ?? null,
              list: listing({ limit: 500 }),
            });
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': PAGE_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
      });
      res.end(method === 'HEAD' ? undefined : page);
      return;
    }
    if (path === '/api/traces') {
      const filter: TraceFilter = {};
      for (const key of ['service', 'status', 'q', 'user', 'session', 'tag'] as const) {
        const value = url.searchParams.get(key);
        if (value) filter[key] = value;
      }
      const limit = Number(url.searchParams.get('limit') ?? 500);
      if (Number.isInteger(limit) && limit >= 0) filter.limit = limit;
      return sendJson(res, 200, listing(filter));
    }
    if (path.startsWith('/api/traces/')) {
      const id = path.slice('/api/traces/'.length);
      const trace = store.get(id);
      if (!trace) return sendJson(res, 404, { error: `no trace with id ${JSON.stringify(id)}` });
      return sendJson(res, 200, trace);
    }
    if (path === '/api/logs') return sendJson(res, 200, { logs: store.logs() });
    if (path === '/api/stream') return stream(req, res);
    if (path === '/healthz') {
      return sendJson(res, 200, { ok: true, traces: store.size, bytes: store.bytes });
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    return sendJson(res, 404, { error: `no such page: ${path}` });
  }

  function listing(filter: TraceFilter) {
    const all = store.list();
    return {
      traces: store.list(filter),
      services: store.services(),
      total: all.length,
      errors: all.filter((t) => t.status === 'error').length,
    };
  }

  async function receive(req: IncomingMessage, res: ServerResponse, kind: Ingest): Promise<void> {
    const contentType = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    const protobufBody = contentType.includes('protobuf');
    if (protobufBody && kind === 'native') {
      req.resume();
      return sendJson(res, 415, { error: PROTOBUF_HINT });
    }
    if (
      !protobufBody &&
      contentType !== '' &&
      !contentType.includes('json') &&
      contentType !== 'text/plain'
    ) {
      req.resume();
      return sendJson(res, 415, {
        error: `unsupported Content-Type ${JSON.stringify(contentType)}; send application/json`,
      });
    }

    let batch: NormalizedBatch;
    try {
      const body = await readBody(req, maxBodyBytes);
      if (body.length === 0) throw new PayloadError('the request body is empty; send JSON');
      let parsed: unknown;
      try {
        parsed = protobufBody
          ? kind === 'otlp-logs'
            ? decodeOtlpLogs(body)
            : decodeOtlpTraces(body)
          : JSON.parse(body.toString('utf8'));
      } catch (error) {
        throw new PayloadError(
          `the request body is not valid ${protobufBody ? 'OTLP protobuf' : 'JSON'}: ${(error as Error).message}`,
        );
      }
      batch = decodeBody(parsed, kind);
    } catch (error) {
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
      if (error instanceof PayloadError) {
        return sendJson(res, 400, { error: error.message });
      }
      throw error;
    }

    const accepted = { traces: batch.traces.length, logs: batch.logs.length };
    if (accepted.traces === 0 && accepted.logs === 0 && batch.rejected > 0) {
      return sendJson(res, 400, {
        error:
          `none of the ${batch.rejected} trace(s)/log(s) was usable: a trace needs a 32-hex "id" and ` +
          'spans with a 16-hex "spanId" and a numeric "startTime"; a log needs a "message"',
      });
    }
    store.ingest(batch);
    file?.append(batch);
    if (kind === 'native') return sendJson(res, 200, { accepted, rejected: batch.rejected });
    return sendJson(
      res,
      200,
      batch.rejected > 0
        ? {
            partialSuccess: {
              [kind === 'otlp-logs' ? 'rejectedLogRecords' : 'rejectedSpans']: batch.rejected,
              errorMessage: 'some records had unusable ids',
            },
          }
        : {},
    );
  }

  function stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    sse.add(res);
    const drop = () => sse.delete(res);
    req.on('close', drop);
    res.on('error', drop);
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, host, opts.port ?? DEFAULT_PORT));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(opts.port ?? DEFAULT_PORT, host);
  }).catch((error: unknown) => {
    clearInterval(heartbeat);
    store.close();
    throw error;
  });
  server.on('error', (error) => warn(`server error: ${describe(error)}`));

  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  viewerUrl = `http://${urlHost}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: viewerUrl,
    port,
    store,
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        for (const res of sse) res.end();
        sse.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        store.close();
        await file?.flush();
      })();
      return closing;
    },
  };
}

/**
 * The console renderer shows one service per trace; here every span where the
 * request crosses into another service is prefixed with that service, and the
 * header lists them all.
 */
function forTerminal(trace: AssembledTrace): TraceData {
  const serviceOf = new Map(trace.spans.map((s) => [s.spanId, s.serviceName]));
  return {
    ...trace,
    serviceName: trace.services.join(', '),
    spans: trace.spans.map((span, i) => {
      const parentService = span.parentId === null ? undefined : serviceOf.get(span.parentId);
      return i === 0 || parentService !== span.serviceName
        ? { ...span, name: `[${span.serviceName}] ${span.name}` }
        : span;
    }),
  };
}

/** A path segment as the page's script reads it (decoded); undecodable text as it came. */
function pathSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  sendJson(res, 405, { error: `method not allowed; use ${allow}` });
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new Error(
      `tracewire dev: port ${port} on ${host} is already in use (another collector?). ` +
        'Stop it, or pass another --port (0 picks a free one).',
    );
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return new Error(
      `tracewire dev: cannot listen on host ${JSON.stringify(host)}: ${error.message}. ` +
        'Pass a local address such as --host 127.0.0.1.',
    );
  }
  if (error.code === 'EACCES') {
    return new Error(
      `tracewire dev: not allowed to listen on port ${port}; pass a port above 1023.`,
    );
  }
  return error;
}

function validate(options: DevServerOptions): DevServerOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('startDevServer(options): options must be an object or omitted.');
  }
  const { port, host, file, maxTraces, settleMs, maxBodyBytes, onTrace, write } = options;
  for (const key of ['maxBytes', 'maxTraceBytes'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1024)) {
      throw new TypeError(
        `startDevServer: ${key} must be a whole number of bytes, at least 1024, got ${String(value)}.`,
      );
    }
  }
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new TypeError(
      `startDevServer: port must be an integer 0-65535 (0 = any free port), got ${String(port)}.`,
    );
  }
  if (host !== undefined && (typeof host !== 'string' || host === '')) {
    throw new TypeError("startDevServer: host must be a non-empty string such as '127.0.0.1'.");
  }
  if (file !== undefined && (typeof file !== 'string' || file === '')) {
    throw new TypeError('startDevServer: file must be a path to a JSON Lines file.');
  }
  if (maxTraces !== undefined && !(Number.isInteger(maxTraces) && maxTraces >= 1)) {
    throw new TypeError(
      `startDevServer: maxTraces must be a positive integer, got ${String(maxTraces)}.`,
    );
  }
  if (settleMs !== undefined && !(Number.isFinite(settleMs) && settleMs >= 0)) {
    throw new TypeError(
      `startDevServer: settleMs must be 0 or more milliseconds, got ${String(settleMs)}.`,
    );
  }
  if (maxBodyBytes !== undefined && !(Number.isInteger(maxBodyBytes) && maxBodyBytes >= 1024)) {
    throw new TypeError(
      `startDevServer: maxBodyBytes must be an integer of at least 1024, got ${String(maxBodyBytes)}.`,
    );
  }
  if (onTrace !== undefined && typeof onTrace !== 'function') {
    throw new TypeError('startDevServer: onTrace must be a function (trace) => void.');
  }
  if (write !== undefined && typeof write !== 'function') {
    throw new TypeError('startDevServer: write must be a function (text: string) => void.');
  }
  return options;
}

function defaultColors(): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (process.env.NO_COLOR) return false;
  return process.stdout.isTTY === true;
}

function paint(text: string, colors: boolean): string {
  return colors ? `\x1b[2m${text}\x1b[0m` : text;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Output and callbacks are best effort; the collector keeps running.
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
