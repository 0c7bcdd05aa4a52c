import type { TimeInput } from '@opentelemetry/api';

const origin = performance.timeOrigin;

/**
 * An OpenTelemetry `TimeInput` as epoch milliseconds, read as the OpenTelemetry
 * SDK reads it: `[seconds, nanoseconds]` and `Date` are epoch times, a number
 * smaller than the process's time origin is `performance.now()`-relative.
 */
export function toEpochMillis(time: TimeInput | undefined): number | undefined {
  if (time === undefined || time === null) return undefined;
  if (typeof time === 'number') {
    if (!Number.isFinite(time)) return undefined;
    return time < origin ? origin + time : time;
  }
  if (Array.isArray(time)) {
    const [seconds, nanos] = time;
    return typeof seconds === 'number' && typeof nanos === 'number'
      ? seconds * 1000 + nanos / 1e6
      : undefined;
  }
  if (time instanceof Date) {
    const ms = time.getTime();
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}
