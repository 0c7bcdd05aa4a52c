import { randomFillSync } from 'node:crypto';

/*
 * Random bytes for ids from a cryptographic source, drawn from a pooled buffer
 * so one `randomFillSync` call serves hundreds of ids. The edge build draws
 * from Web Crypto instead (`random-pool.edge.ts`).
 */
const POOL_SIZE = 8192;
export const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/** Where `bytes` fresh random bytes start in `pool`. */
export function take(bytes: number): number {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

/** `bytes` bytes of `pool` from `at`, as lowercase hex. */
export function hex(at: number, bytes: number): string {
  // One flat string made natively, where adding two digits at a time builds a
  // rope that is flattened again when the id is first compared or serialised.
  return pool.toString('hex', at, at + bytes);
}
