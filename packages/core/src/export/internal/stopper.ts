/**
 * The pipeline's "stop now" at the shutdown deadline: cancels the attempts in
 * flight and any backoff. A plain flag with listeners rather than a
 * long-lived AbortController, so nothing of one delivery's (or one edge
 * request's) outlives it; each attempt makes its own AbortController.
 */
export class Stopper {
  private listeners: Set<() => void> | undefined;
  stopped = false;

  /** Runs `listener` once at the stop (at once if already stopped); returns its remover. */
  onStop(listener: () => void): () => void {
    if (this.stopped) {
      listener();
      return noop;
    }
    this.listeners ??= new Set();
    this.listeners.add(listener);
    return () => this.listeners?.delete(listener);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // One attempt that cannot be cancelled must not keep the others running.
      }
    }
  }
}

function noop(): void {}
