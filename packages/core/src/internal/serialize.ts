import type { ErrorData } from '../types';

/** Error details from anything thrown; never throws itself. */
export function errorData(error: unknown): ErrorData {
  try {
    if (error instanceof Error || (error && typeof error === 'object' && 'message' in error)) {
      const e = error as Error;
      const data: ErrorData = {
        message: String(e.message),
        type:
          (e.constructor?.name && e.constructor.name !== 'Object' ? e.constructor.name : e.name) ||
          'Error',
      };
      if (typeof e.stack === 'string') data.stack = e.stack;
      return data;
    }
    return { message: typeof error === 'string' ? error : safeString(error), type: typeof error };
  } catch {
    return { message: 'unserializable error', type: 'unknown' };
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Serialises a span's input or output to JSON text of at most `max` characters.
 * Strings are kept as they are; cycles, BigInts, functions and throwing getters
 * never make it throw.
 */
export function serializeIo(value: unknown, max: number): { text: string; truncated: boolean } {
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else {
    try {
      const seen = new WeakSet<object>();
      text =
        JSON.stringify(value, (_key, v: unknown) => {
          if (typeof v === 'bigint') return v.toString();
          if (typeof v === 'function')
            return `[Function ${(v as { name?: string }).name || 'anonymous'}]`;
          if (v instanceof Error) return errorData(v);
          if (v !== null && typeof v === 'object') {
            if (seen.has(v)) return '[Circular]';
            seen.add(v);
          }
          return v;
        }) ?? 'null';
    } catch (error) {
      text = JSON.stringify(`[unserializable: ${errorData(error).message}]`);
    }
  }
  if (text.length <= max) return { text, truncated: false };
  return { text: text.slice(0, max), truncated: true };
}
