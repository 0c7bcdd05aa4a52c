import { runUntraced } from '../../context/storage';
import type { Stopper } from './stopper';

/** Node clamps larger delays to 1 ms with a warning; we clamp to the maximum instead. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

export function clampDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_DELAY_MS);
}

/**
 * A timeout created outside any trace: a timer made inside a request would
 * otherwise capture (and keep alive) that request's context until it fires.
 * `unref` timers never keep the process alive on their own.
 */
export function untracedTimeout(fn: () => void, ms: number, unref: boolean): NodeJS.Timeout {
  const timer = runUntraced(() => setTimeout(fn, clampDelay(ms)));
  if (unref) timer.unref?.();
  return timer;
}

/** Runs `fn` on the next turn of the event loop, outside any trace. */
export function untracedImmediate(fn: () => void): void {
  runUntraced(() => nextTurn(fn));
}

// Workers without `nodejs_compat` have no setImmediate.
const nextTurn: (fn: () => void) => unknown =
  typeof setImmediate === 'function' ? setImmediate : (fn) => setTimeout(fn, 0);

/** Resolves after `ms` (on an unref'd timer), or early at the stop. Never rejects. */
export function sleep(ms: number, stop: Stopper): Promise<void> {
  if (stop.stopped || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = untracedTimeout(done, ms, true);
    const off = stop.onStop(done);
  });
}
