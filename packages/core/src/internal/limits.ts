import type { Limits } from '../limits';
import type { DroppedCounts } from '../types';

export type { Limits };

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxSpansPerTrace: 1000,
  maxAttributesPerSpan: 128,
  maxAttributeValueLength: 4096,
  maxIoBytes: 64 * 1024,
  maxEventsPerSpan: 128,
  maxLogsPerTrace: 1000,
});

export function resolveLimits(input: Partial<Limits> | undefined): Limits {
  const limits = { ...DEFAULT_LIMITS, ...input };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new TypeError(
        `tracewire: limits.${key} must be a non-negative integer, got ${String(value)}.`,
      );
    }
  }
  return limits;
}

/** A trace's cut-counters, all zero. */
export function noneDropped(): DroppedCounts {
  return { spans: 0, attributes: 0, truncatedAttributes: 0, events: 0, logs: 0, truncatedIo: 0 };
}
