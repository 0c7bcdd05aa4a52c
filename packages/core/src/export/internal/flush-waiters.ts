import { untracedTimeout } from './timers';

interface FlushWaiter {
  readonly groupSeq: number;
  readonly logCount: number;
  readonly done: () => void;
}

/**
 * Callers of `flush()` and `shutdown()` waiting for everything queued at their
 * call to settle. Groups and logs settle out of order (several requests are in
 * flight), so a waiter asks "is everything up to my marks settled?" rather
 * than counting.
 */
export class FlushWaiters {
  private readonly waiters: FlushWaiter[] = [];

  /** `settledUpTo(groupSeq, logCount)`: every group up to `groupSeq` and the first `logCount` logs are settled. */
  constructor(private readonly settledUpTo: (groupSeq: number, logCount: number) => boolean) {}

  /** Resolves once the marks are settled, or after `timeoutMs`; never rejects. */
  wait(groupSeq: number, logCount: number, timeoutMs: number): Promise<void> {
    if (this.settledUpTo(groupSeq, logCount)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiters = this.waiters;
      const done = () => {
        clearTimeout(timer);
        const index = waiters.indexOf(waiter);
        if (index !== -1) waiters.splice(index, 1);
        resolve();
      };
      const waiter: FlushWaiter = { groupSeq, logCount, done };
      // Ref'd on purpose: whoever awaits a flush expects the process to stay
      // up until it is done or the deadline passes.
      const timer = untracedTimeout(done, timeoutMs, false);
      waiters.push(waiter);
    });
  }

  /** Resolves every waiter whose marks are now settled. */
  wake(): void {
    if (this.waiters.length === 0) return;
    for (const waiter of this.waiters.slice()) {
      if (this.settledUpTo(waiter.groupSeq, waiter.logCount)) waiter.done();
    }
  }
}
