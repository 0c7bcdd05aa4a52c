// The edge build's ids: Web Crypto's `getRandomValues` (every fetch runtime has
// it) into a pooled Uint8Array, where the Node build uses `node:crypto` and Buffer.

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

/** A 128-bit trace id in UUIDv7 layout, as the Node build makes it (`ids.ts`). */
export function newTraceId(nowMs: number = Date.now()): string {
  const ms = nowMs >= 0 && nowMs < 2 ** 48 ? Math.floor(nowMs) : Date.now();
  const at = take(16);
  // 48 bits of milliseconds, big-endian: the high 16 and the low 32 separately.
  const high = Math.floor(ms / 2 ** 32);
  const low = ms >>> 0;
  pool[at] = high >>> 8;
  pool[at + 1] = high & 0xff;
  pool[at + 2] = low >>> 24;
  pool[at + 3] = (low >>> 16) & 0xff;
  pool[at + 4] = (low >>> 8) & 0xff;
  pool[at + 5] = low & 0xff;
  pool[at + 6] = 0x70 | (pool[at + 6]! & 0x0f);
  pool[at + 8] = 0x80 | (pool[at + 8]! & 0x3f);
  return hex(at, 16);
}

export { traceIdTime } from './trace-id-time';
