import type { DroppedCounts } from '../types';

/** Bounds that protect memory; what they cut is counted on the trace. */
export interface Limits {
  /** Spans recorded per trace, the root included. Default 1000. */
  maxSpansPerTrace: number;
  /** Attributes per span. Default 128. */
  maxAttributesPerSpan: number;
  /** Characters kept of a string attribute value. Default 4096. */
  maxAttributeValueLength: number;
  /** Characters kept of a span's serialised input or output. Default 64 KiB. */
  maxIoBytes: number;
  /** Events (and signals) per span. Default 128. */
  maxEventsPerSpan: number;
  /** Correlated logs kept per trace. Default 1000. */
  maxLogsPerTrace: number;
}

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
