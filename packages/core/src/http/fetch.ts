import { parseContentLength } from './internal/request';
import { watchBody } from './internal/watch-body';
import type { HttpOutcome, HttpRequestInfo, ServerRequest } from './server-tracing';

/** What core needs from a fetch `Request` (Bun, Deno, Workers, Hono's `app.request()`). */
export function fetchRequestInfo(request: Request): HttpRequestInfo {
  const url = request.url;
  return {
    method: request.method,
    url,
    headers: request.headers,
    scheme: url.startsWith('https:') ? 'https' : 'http',
  };
}

/** How `endWithFetchResponse()` ends a request on a fetch runtime. */
export interface FetchResponseOptions {
  /**
   * The request's method: a `HEAD` response's body is dropped unread by the
   * runtime, so its trace ends with the head rather than waiting for the body.
   */
  method?: string;
  /**
   * The runtime's `waitUntil` (Workers' `ctx.waitUntil`, Vercel's): handed a
   * promise that settles once the trace has ended and been delivered, so the
   * isolate is not frozen with the export in flight.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/**
 * The fetch-runtime twin of `endWithNodeResponse()`: sends `traceresponse` and
 * ends `request` exactly once, when the last byte of `response`'s body has been
 * handed on, or as `aborted` when the consumer cancels it (the client went
 * away) or the body fails. Returns the response to send instead of `response`
 * (same status and headers, the body passed through unchanged, with
 * backpressure). `response` undefined: the handler threw or produced nothing,
 * and the request ends now with `outcome()`. `outcome` is read when the
 * request ends. Never throws: on a failure the request ends and `response` is
 * returned as it was.
 *
 * @example
 * const request = http.start(fetchRequestInfo(req));
 * const response = await request.run(() => handler(req));
 * return endWithFetchResponse(request, response, () => ({ route }), { method: req.method });
 */
export function endWithFetchResponse(
  request: ServerRequest,
  response: Response | undefined,
  outcome?: () => HttpOutcome | undefined,
  options?: FetchResponseOptions,
): Response | undefined {
  if (options?.waitUntil !== undefined) keepAlive(request, options.waitUntil);
  const end = (known?: HttpOutcome) => {
    if (request.isEnded) return;
    let extra: HttpOutcome | undefined;
    try {
      extra = outcome?.();
    } catch {
      // The adapter's outcome is a bonus; the response's own facts still end the trace.
    }
    request.end({ ...known, ...extra, error: known?.error ?? extra?.error });
  };
  if (response === undefined) {
    end();
    return undefined;
  }
  try {
    const known: HttpOutcome = {
      statusCode: response.status,
      responseHeaders: response.headers,
      responseSize: parseContentLength(response.headers.get('content-length') ?? undefined),
    };
    const header = request.traceResponseHeader();
    const body = response.body;
    if (body === null || response.bodyUsed || options?.method === 'HEAD') {
      const sent =
        header !== undefined && response.status >= 200
          ? withHeader(response, header, body)
          : response;
      end(known);
      return sent;
    }
    const watched = new Response(
      watchBody(body, (aborted, error) => end({ ...known, aborted, error })),
      response,
    );
    if (header !== undefined && !watched.headers.has('traceresponse')) {
      watched.headers.set('traceresponse', header);
    }
    return watched;
  } catch {
    end();
    return response;
  }
}

/** `response` with `traceresponse` set, unless the app set one; a copy when its headers are immutable. */
function withHeader(response: Response, header: string, body: Response['body']): Response {
  if (response.headers.has('traceresponse')) return response;
  try {
    response.headers.set('traceresponse', header);
    return response;
  } catch {
    // Immutable headers (a `fetch()` result, `Response.redirect()`): the same response, copied.
    const copy = new Response(body, response);
    copy.headers.set('traceresponse', header);
    return copy;
  }
}

function keepAlive(request: ServerRequest, waitUntil: (promise: Promise<unknown>) => void): void {
  if (request.span?.isRecording !== true) return;
  try {
    waitUntil(request.whenDelivered(true));
  } catch {
    // A runtime that refuses the promise: the export may be cut short, the response is not.
  }
}
