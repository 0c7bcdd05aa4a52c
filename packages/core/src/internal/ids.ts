import { randomFillSync } from 'node:crypto';
import { layTraceId } from './trace-id-layout';

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

/** A 128-bit trace id in UUIDv7 layout (`trace-id-layout.ts`). */
export function newTraceId(nowMs: number = Date.now()): string {
  const at = take(16);
  // The time goes into the drawn bytes themselves, so the whole id is one hex conversion.
  layTraceId(pool, at, nowMs);
  return pool.toString('hex', at, at + 16);
}

export { traceIdTime } from './trace-id-layout';
