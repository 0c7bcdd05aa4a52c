// The edge build's random bytes: Web Crypto's `getRandomValues` (every fetch
// runtime has it) into a pooled Uint8Array, where the Node build uses `node:crypto`.
const POOL_SIZE = 8192;
export const pool = new Uint8Array(POOL_SIZE);
let offset = POOL_SIZE;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Where `bytes` fresh random bytes start in `pool`. */
export function take(bytes: number): number {
  if (offset + bytes > POOL_SIZE) {
    crypto.getRandomValues(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

/** `bytes` bytes of `pool` from `at`, as lowercase hex. */
export function hex(at: number, bytes: number): string {
  let out = '';
  for (let i = at; i < at + bytes; i++) out += HEX[pool[i]!];
  return out;
}
