import type { ServerResponse } from 'node:http';

/**
 * Koa's error handling (`ctx.onerror`) removes every response header before it
 * writes the error response, `traceresponse` included, and the caller needs the
 * trace id most on exactly those responses. This puts the header back at the
 * moment the head is written, without touching the user's error object.
 */
export function keepTraceResponse(res: ServerResponse, header: string): void {
  if (res.headersSent) return;
  const writeHead = res.writeHead;
  res.writeHead = function writeHeadWithTraceResponse(this: ServerResponse, ...args: unknown[]) {
    res.writeHead = writeHead;
    if (!this.headersSent && !this.hasHeader('traceresponse'))
      this.setHeader('traceresponse', header);
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
