import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpOutcome, HttpRequestInfo, ServerRequest } from './server-tracing';

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
  };
}

/**
 * Sends the `traceresponse` header and ends `request` exactly once: when `res`
 * finishes (the last byte of a buffered or streamed body was handed to the
 * socket), or as `aborted` when the connection closes first. `outcome` is read
 * at that moment, so adapters can report the route and error known by then.
 */
export function endWithNodeResponse(
  request: ServerRequest,
  res: ServerResponse,
  outcome?: () => HttpOutcome | undefined,
): void {
  const header = request.traceResponseHeader();
  if (header !== undefined && !res.headersSent) res.setHeader('traceresponse', header);
  const finish = (aborted: boolean) => {
    res.removeListener('finish', onFinish);
    res.removeListener('close', onClose);
    let extra: HttpOutcome | undefined;
    try {
      extra = outcome?.();
    } catch {
      extra = undefined;
    }
    request.end({
      statusCode: res.headersSent || !aborted ? res.statusCode : undefined,
      responseSize: contentLength(res),
      responseHeaders: { get: (name: string) => headerText(res, name) },
      aborted,
      ...extra,
    });
  };
  const onFinish = () => finish(false);
  const onClose = () => finish(!res.writableFinished);
  res.once('finish', onFinish);
  res.once('close', onClose);
}

function headerText(res: ServerResponse, name: string): string | undefined {
  const value = res.getHeader(name);
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function contentLength(res: ServerResponse): number | undefined {
  const value = res.getHeader('content-length');
  if (value === undefined) return undefined;
  const size = Number(value);
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}
