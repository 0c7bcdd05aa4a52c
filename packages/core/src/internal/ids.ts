import { randomFillSync } from 'node:crypto';

/*
 * Ids come from a cryptographic source, drawn from a pooled buffer so one
 * `randomFillSync` call serves hundreds of ids.
 */
const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function take(bytes: number): number {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

function hex(at: number, bytes: number): string {
  // One flat string made natively, where adding two digits at a time builds a
  // rope that is flattened again when the id is first compared or serialised.
  return pool.toString('hex', at, at + bytes);
}

/** A 64-bit span id as 16 lowercase hex digits, never all zeros. */
export function newSpanId(): string {
  for (;;) {
    const id = hex(take(8), 8);
    if (id !== '0000000000000000') return id;
  }
}

/**
 * A 128-bit trace id in UUIDv7 layout: 48-bit Unix milliseconds, version 7,
 * 12 random bits, variant 0b10, 62 random bits. Ids sort by creation time, and
 * the low 56 bits are random, so the W3C Level 2 `random` flag is truthful.
 */
export function newTraceId(nowMs: number = Date.now()): string {
  // A time the 48 bits cannot hold (negative, NaN, past the year 10889) is replaced by now.
  const ms = nowMs >= 0 && nowMs < 2 ** 48 ? Math.floor(nowMs) : Date.now();
  const at = take(16);
  // The time goes into the drawn bytes themselves, so the whole id is one hex conversion.
  pool.writeUIntBE(ms, at, 6);
  pool[at + 6] = 0x70 | (pool[at + 6]! & 0x0f);
  pool[at + 8] = 0x80 | (pool[at + 8]! & 0x3f);
  return pool.toString('hex', at, at + 16);
}

export { traceIdTime } from './trace-id-time';
