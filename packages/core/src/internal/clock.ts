/** Wall-clock epoch milliseconds with sub-millisecond resolution, monotonic within a process. */
const origin = performance.timeOrigin;

export function now(): number {
  return origin + performance.now();
}
