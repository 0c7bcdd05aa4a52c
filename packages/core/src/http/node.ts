import type { IncomingMessage, ServerResponse } from 'node:http';
import { nodeResponseMethods } from './internal/node-response-methods';
import { parseContentLength } from './internal/request';
import type { HttpOutcome, HttpRequestInfo, ServerRequest } from './server-tracing';

const { getHeader, hasHeader, setHeader, on, writableFinished, isNodeResponse } =
  nodeResponseMethods;

/** Reads what core needs from a Node `IncomingMessage` (Express, Koa and Nest's `req`). */
export function nodeRequestInfo(req: IncomingMessage & { originalUrl?: string }): HttpRequestInfo {
  const socket = req.socket as (IncomingMessage['socket'] & { encrypted?: boolean }) | undefined;
  return {
    method: req.method ?? 'GET',
    url: req.originalUrl ?? req.url ?? '/',
    headers: req.headers,
    scheme: socket?.encrypted ? 'https' : 'http',
    remoteAddress: socket?.remoteAddress,
    httpVersion: req.httpVersion,
    lowercaseHeaders: true,
  };
}

/** How `endWithNodeResponse()` sends `traceresponse`. */
export interface NodeResponseOptions {
  /**
   * `now` (the default): set on the response at once, unless one is set
   * already; an app's own, set later, replaces it. `head`: added as the head
   * is written, for frameworks whose error path removes every header first
   * (Koa), at the price of wrapping `res.writeHead` per response.
   *
   * Counted per exported request on Node 20, wrapping cost Express about
   * 21,000 instructions (its responses get a new prototype per request, and
   * the wrapper a new hidden class each time), and merging into
   * `@hono/node-server`'s `writeHead(status, headers)` about 100,000 more than
   * setting the header at once.
   */
  traceResponse?: 'now' | 'head';
}

/**
 * Sends the `traceresponse` header and ends `request` exactly once, when `res`
 * closes: after the last byte of a buffered or streamed body was handed to the
 * socket, or, as `aborted`, when the connection went away first. `outcome` is
 * read at that moment, so adapters can report the route and error known by then.
 * A request that records nothing (`request.isRecording` false) only gets the
 * header: its end is not followed.
 */
export function endWithNodeResponse(
  request: ServerRequest,
  res: ServerResponse,
  outcome?: () => HttpOutcome | undefined,
  options?: NodeResponseOptions,
): void {
  const node = isNodeResponse(res);
  const header = request.traceResponseHeader();
  if (header !== undefined) {
    if (options?.traceResponse === 'head') {
      if (!res.headersSent) sendAtHead(res, header);
    } else if (node) setNodeTraceResponse(res, header);
    else if (!res.headersSent) setTraceResponse(res, header);
  }
  // Nothing records an unsampled request's end: it gets the header and no listener.
  if (!request.isRecording) return;
  // Node emits 'close' on every response, one tick after 'finish' when it completed:
  // one listener, where 'finish' plus 'close' would cost two and their removal.
  const onClose = () => {
    const aborted = !(node ? writableFinished.call(res) : res.writableFinished);
    const headers: ResponseHeaders = node ? new NodeResponseHeaders(res) : res;
    const ended: HttpOutcome = {
      statusCode: !aborted || res.headersSent ? res.statusCode : undefined,
      responseSize: contentLength(headers),
      responseHeaders: headers,
      aborted,
    };
    try {
      const extra = outcome?.();
      if (extra !== undefined) adopt(ended, extra);
    } catch {
      // The adapter's outcome is a bonus; the response's own facts still end the trace.
    }
    request.end(ended);
  };
  if (node) on.call(res, 'close', onClose);
  else res.on('close', onClose);
}

type ResponseHeaders = Pick<ServerResponse, 'getHeader'>;

/**
 * A Node response's headers, read with Node's own `getHeader`: what the
 * response reports as `responseHeaders`, where the response itself would be
 * read through whatever `get`/`getHeader` its framework layered on top.
 */
class NodeResponseHeaders implements ResponseHeaders {
  private readonly res: ServerResponse;

  constructor(res: ServerResponse) {
    this.res = res;
  }

  getHeader(name: string): number | string | string[] | undefined {
    return getHeader.call(this.res, name);
  }
}

/**
 * `setTraceResponse()` for a real Node response: no `headersSent` read first,
 * since `setHeader` refuses (throws) once the head is out.
 */
function setNodeTraceResponse(res: ServerResponse, header: string): void {
  try {
    if (!hasHeader.call(res, 'traceresponse')) setHeader.call(res, 'traceresponse', header);
  } catch {
    // The head was already sent: too late for the header, and that is all.
  }
}

/** Sets `traceresponse` now, unless the app set one itself. */
function setTraceResponse(res: ServerResponse, header: string): void {
  if (!res.hasHeader('traceresponse')) res.setHeader('traceresponse', header);
}

/**
 * Adds `traceresponse` as the head is written rather than now, so an error
 * handler that clears every header first (Koa's) cannot drop it. Headers given
 * to `writeHead(status, headers)` are merged with it into one record. A header
 * the app set itself is left alone.
 */
function sendAtHead(res: ServerResponse, header: string): void {
  const writeHead = res.writeHead;
  const call = writeHead as (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  res.writeHead = function writeHeadWithTraceResponse(
    this: ServerResponse,
    statusCode: number,
    reason?: unknown,
    headers?: unknown,
  ): ServerResponse {
    res.writeHead = writeHead;
    const hasReason = typeof reason === 'string';
    const given = hasReason ? headers : reason;
    if (!this.headersSent && !this.hasHeader('traceresponse')) {
      if (isHeaderRecord(given)) {
        const merged = { traceresponse: header, ...given };
        return hasReason
          ? call.call(this, statusCode, reason, merged)
          : call.call(this, statusCode, merged);
      }
      this.setHeader('traceresponse', header);
    }
    return call.apply(
      this,
      // biome-ignore lint/complexity/noArguments: passes on exactly what the caller gave
      arguments as unknown as unknown[],
    );
  } as ServerResponse['writeHead'];
}

/**
 * What the adapter knows on top of the response's own facts: each field it
 * gives, by name (where `Object.assign` is a generic copy per response).
 */
function adopt(ended: HttpOutcome, extra: HttpOutcome): void {
  if (extra.route !== undefined) ended.route = extra.route;
  if (extra.error !== undefined) ended.error = extra.error;
  if (extra.statusCode !== undefined) ended.statusCode = extra.statusCode;
  if (extra.aborted !== undefined) ended.aborted = extra.aborted;
  if (extra.responseSize !== undefined) ended.responseSize = extra.responseSize;
  if (extra.responseHeaders !== undefined) ended.responseHeaders = extra.responseHeaders;
}

// A field added to HttpOutcome fails to compile here until adopt() copies it.
const adoptsEveryField: Exclude<
  keyof HttpOutcome,
  'route' | 'error' | 'statusCode' | 'aborted' | 'responseSize' | 'responseHeaders'
> extends never
  ? true
  : never = true;
void adoptsEveryField;

function isHeaderRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function contentLength(headers: ResponseHeaders): number | undefined {
  return parseContentLength(headers.getHeader('content-length'));
}
