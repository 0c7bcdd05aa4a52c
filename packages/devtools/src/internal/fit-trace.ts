import type { LogData, SpanData, TraceData } from '@tracewire/core';
import type { TruncatedCounts } from '../types';

/**
 * What the store counts as a value's size: its UTF-8 JSON length, the same for
 * every wire format it arrived in. The process holds a small multiple of it.
 */
export function jsonBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  } catch {
    // Normalized data is plain JSON; a value that cannot be serialised is not kept.
    return Number.POSITIVE_INFINITY;
  }
}

/** Text over this many characters (input, output, attribute values) is cut first when a trace is too big. */
const KEEP_CHARS = 16 * 1024;

export function noTruncation(): TruncatedCounts {
  return { spans: 0, logs: 0, fields: 0, bytes: 0 };
}

export interface FittedPart {
  part: TraceData;
  bytes: number;
}

/**
 * Makes one exported part fit `budget` bytes: first long inputs and outputs
 * and attribute values are cut to a prefix ending in a visible marker, then spans after the root
 * and logs are left out from the end. What was cut is added to `truncated`.
 * Returns undefined when not even the part's root span fits.
 */
export function fitPart(
  part: TraceData,
  bytes: number,
  budget: number,
  truncated: TruncatedCounts,
): FittedPart | undefined {
  if (bytes <= budget) return { part, bytes };

  let cutFields = 0;
  const spans = part.spans.map((span) => {
    const result = cutSpan(span);
    cutFields += result.cut;
    return result.span;
  });
  let fitted: TraceData = cutFields > 0 ? { ...part, spans } : part;
  let size = cutFields > 0 ? jsonBytes(fitted) : bytes;

  let keptSpans = fitted.spans.length;
  let keptLogs = fitted.logs.length;
  if (size > budget) {
    // The skeleton is the part without spans and logs; then add what fits, root first.
    let used = jsonBytes({ ...fitted, spans: [], logs: [] });
    const take = <T>(items: readonly T[]): T[] => {
      const out: T[] = [];
      for (const item of items) {
        const itemBytes = jsonBytes(item) + 1;
        if (used + itemBytes > budget) break;
        used += itemBytes;
        out.push(item);
      }
      return out;
    };
    const fittingSpans = take(fitted.spans);
    if (fittingSpans.length === 0) return undefined;
    const fittingLogs = take(fitted.logs);
    keptSpans = fittingSpans.length;
    keptLogs = fittingLogs.length;
    fitted = { ...fitted, spans: fittingSpans, logs: fittingLogs };
    size = jsonBytes(fitted);
  }

  truncated.fields += cutFields;
  truncated.spans += part.spans.length - keptSpans;
  truncated.logs += part.logs.length - keptLogs;
  truncated.bytes += bytes - size;
  return { part: fitted, bytes: size };
}

/** A log correlated to a trace that is already at its size limit. */
export function countDroppedLog(log: LogData, truncated: TruncatedCounts): void {
  truncated.logs++;
  truncated.bytes += jsonBytes(log);
}

/** The span with its long texts cut (the same object when none is), and how many were. */
function cutSpan(span: SpanData): { span: SpanData; cut: number } {
  let count = 0;
  let copy: SpanData | undefined;
  const edit = () => {
    copy ??= { ...span };
    return copy;
  };
  for (const key of ['input', 'output'] as const) {
    const value = span[key];
    if (value !== undefined && value.length > KEEP_CHARS) {
      edit()[key] = cut(value);
      count++;
    }
  }
  for (const [key, value] of Object.entries(span.attributes)) {
    if (typeof value === 'string' && value.length > KEEP_CHARS) {
      const target = edit();
      if (target.attributes === span.attributes) target.attributes = { ...span.attributes };
      target.attributes[key] = cut(value);
      count++;
    }
  }
  return { span: copy ?? span, cut: count };
}

function cut(value: string): string {
  return `${value.slice(0, KEEP_CHARS)}… [truncated by tracewire dev: ${value.length - KEEP_CHARS} more characters]`;
}
