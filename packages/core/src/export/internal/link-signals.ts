/**
 * An AbortSignal that aborts when `parent` does, or after `timeoutMs` with a
 * `TimeoutError` reason (so transports can tell a timeout from a cancel).
 * Hand-rolled because `AbortSignal.any` needs Node 20.3. Call `dispose()` when
 * done so the timer and the parent listener do not outlive the request.
 */
export function linkSignals(
  parent: AbortSignal,
  timeoutMs: number,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, dispose: () => undefined };
  }
  const onParentAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParentAbort, { once: true });
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  timer.unref?.();
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
