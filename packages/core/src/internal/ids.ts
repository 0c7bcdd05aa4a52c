import { hex, pool, take } from './random-pool';

/** A 64-bit span id as 16 lowercase hex digits, never all zeros. */
export function newSpanId(): string {
  for (;;) {
    const id = hex(take(8), 8);
    if (id !== '0000000000000000') return id;
  }
}

/** A 128-bit trace id in UUIDv7 layout (`layTraceId` below). */
export function newTraceId(nowMs: number = Date.now()): string {
  const at = take(16);
  // The time goes into the drawn bytes themselves, so the whole id is one hex conversion.
  layTraceId(pool, at, nowMs);
  return hex(at, 16);
}

/**
 * Writes the layout into 16 random bytes at `at`: 48-bit Unix milliseconds,
 * version 7, 12 random bits, variant 0b10, 62 random bits. Ids sort by creation
 * time, and the low 56 bits stay random, so the W3C Level 2 `random` flag is truthful.
 */
function layTraceId(bytes: Uint8Array, at: number, nowMs: number): void {
  // A time the 48 bits cannot hold (negative, NaN, past the year 10889) is replaced by now.
  const ms = nowMs >= 0 && nowMs < 2 ** 48 ? Math.floor(nowMs) : Date.now();
  const high = Math.floor(ms / 2 ** 32);
  const low = ms >>> 0;
  bytes[at] = high >>> 8;
  bytes[at + 1] = high & 0xff;
  bytes[at + 2] = low >>> 24;
  bytes[at + 3] = (low >>> 16) & 0xff;
  bytes[at + 4] = (low >>> 8) & 0xff;
  bytes[at + 5] = low & 0xff;
  bytes[at + 6] = 0x70 | (bytes[at + 6]! & 0x0f);
  bytes[at + 8] = 0x80 | (bytes[at + 8]! & 0x3f);
}

/** The creation time encoded in a time-ordered trace id, in Unix milliseconds. */
export function traceIdTime(traceId: string): number {
  return Number.parseInt(traceId.slice(0, 12), 16);
}
