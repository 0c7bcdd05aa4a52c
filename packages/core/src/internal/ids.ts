import { randomFillSync } from 'node:crypto';

/*
 * Ids come from a cryptographic source, drawn from a pooled buffer so one
 * `randomFillSync` call serves hundreds of ids.
 */
const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

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

let lastMs = -1;
let lastMsHex = '';

/**
 * A 128-bit trace id in UUIDv7 layout: 48-bit Unix milliseconds, version 7,
 * 12 random bits, variant 0b10, 62 random bits. Ids sort by creation time, and
 * the low 56 bits are random, so the W3C Level 2 `random` flag is truthful.
 */
export function newTraceId(nowMs: number = Date.now()): string {
  if (nowMs !== lastMs) {
    lastMs = nowMs;
    lastMsHex = Math.floor(nowMs).toString(16).padStart(12, '0').slice(-12);
  }
  const at = take(10);
  const variant = HEX[(pool[at + 2]! & 0x3f) | 0x80]!;
  return `${lastMsHex}7${HEX[pool[at]!]!.charAt(1)}${HEX[pool[at + 1]!]}${variant}${hex(at + 3, 7)}`;
}

/** The creation time encoded in a time-ordered trace id, in Unix milliseconds. */
export function traceIdTime(traceId: string): number {
  return Number.parseInt(traceId.slice(0, 12), 16);
}
