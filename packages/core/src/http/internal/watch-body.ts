/**
 * Passes `body` through unchanged and calls `onEnd` once: when the last chunk
 * has been handed on (`aborted: false`), when the consumer cancels it (the
 * client went away), or when the source fails. This is the fetch runtimes'
 * equivalent of Node's `finish`/`close`: a streamed response (`streamSSE`,
 * `stream`) is only over when its body is.
 *
 * Pull-based with a zero high-water mark, so nothing is read ahead of the
 * consumer and backpressure is kept. (TransformStream's `cancel` hook is not
 * available on Node 20, hence a plain ReadableStream.)
 */
export function watchBody(
  body: ReadableStream<Uint8Array>,
  onEnd: (aborted: boolean, error?: unknown) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          onEnd(true, error);
          controller.error(error);
          return;
        }
        if (chunk.done) {
          controller.close();
          onEnd(false);
        } else {
          controller.enqueue(chunk.value);
        }
      },
      cancel(reason) {
        onEnd(true);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
