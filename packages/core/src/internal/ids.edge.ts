// The edge build's ids: Web Crypto's `getRandomValues` (every fetch runtime has
// it) into a pooled Uint8Array, where the Node build uses `node:crypto` and Buffer.
import { layTraceId } from './trace-id-layout';

const POOL_SIZE = 8192;
const pool = new Uint8Array(POOL_SIZE);
let offset = POOL_SIZE;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function take(bytes: number): number {
  if (offset + bytes > POOL_SIZE) {
    crypto.getRandomValues(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

function hex(at: number, bytes: number): string {
  let out = '';
  for (let i = at; i < at + bytes; i++) out += HEX[pool[i]!];
  return out;
}

/** A 64-bit span id as 16 lowercase hex digits, never all zeros. */
export function newSpanId(): string {
  for (;;) {
    const id = hex(take(8), 8);
    if (id !== '0000000000000000') return id;
  }
}

/** A 128-bit trace id in UUIDv7 layout (`trace-id-layout.ts`), as the Node build makes it. */
export function newTraceId(nowMs: number = Date.now()): string {
  const at = take(16);
  layTraceId(pool, at, nowMs);
  return hex(at, 16);
}

export { traceIdTime } from './trace-id-layout';
