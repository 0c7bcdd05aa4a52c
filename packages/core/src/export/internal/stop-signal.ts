/**
 * The pipeline's shutdown flag, with the two listener methods the send loop
 * uses. A plain object on purpose: workerd binds an `AbortController` to the
 * request that created it and throws when a later request reads it, and the
 * pipeline outlives every request. Each attempt still gets its own
 * `AbortController` for the exporter (see `attemptOnce`).
 */
export class StopSignal {
  aborted = false;
  private readonly listeners = new Set<() => void>();

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // One listener failing must not keep the others from stopping.
      }
    }
  }

  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    if (!this.aborted) this.listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.delete(listener);
  }
}
