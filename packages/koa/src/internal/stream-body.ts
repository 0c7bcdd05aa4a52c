import type { ServerResponse } from 'node:http';

interface EventSource {
  pipe: unknown;
  once(event: 'error', listener: (error: unknown) => void): unknown;
  removeListener(event: 'error', listener: (error: unknown) => void): unknown;
}

/** A Node stream set as `ctx.body` (Koa pipes it to the response after the middleware chain). */
export function isNodeStream(body: unknown): body is EventSource {
  return (
    body !== null &&
    typeof body === 'object' &&
    typeof (body as EventSource).pipe === 'function' &&
    typeof (body as EventSource).once === 'function' &&
    typeof (body as EventSource).removeListener === 'function'
  );
}

/**
 * Calls `onFail` if the body stream errors before the response closes. Koa
 * always listens for the error itself, so a listener here changes nothing for
 * the app; it only lets the trace end when the stream fails (Koa 2 leaves the
 * response open after a mid-body failure, so nothing else would end it).
 */
export function watchStreamBody(
  body: EventSource,
  res: ServerResponse,
  onFail: (error: unknown) => void,
): void {
  const onError = (error: unknown) => {
    res.removeListener('close', stopWatching);
    onFail(error);
  };
  const stopWatching = () => {
    body.removeListener('error', onError);
  };
  body.once('error', onError);
  res.once('close', stopWatching);
}
