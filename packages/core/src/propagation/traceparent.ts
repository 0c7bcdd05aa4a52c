import type { SpanContext } from '../types';

/*
 * W3C Trace Context Level 2, "traceparent Header":
 *   value = version "-" trace-id "-" parent-id "-" trace-flags      (version 00: 55 chars)
 * Parsing is a char-code walk over fixed offsets: this runs on every inbound
 * request, and the only allocations are the two id slices and the result.
 */

const VERSION_00_LENGTH = 55;
const TRACE_ID_AT = 3;
const PARENT_ID_AT = 36;
const FLAGS_AT = 53;

const FLAG_SAMPLED = 0x01;
const FLAG_RANDOM = 0x02;

const SPACE = 0x20;
const TAB = 0x09;
const DASH = 0x2d;
const COMMA = 0x2c;

/** The lowercase-hex value of a char code, or -1 (uppercase hex is invalid per HEXDIGLC). */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** True when `length` chars from `at` are lowercase hex and not all `0`. */
function isNonZeroHex(s: string, at: number, length: number): boolean {
  let nonZero = false;
  for (let i = at; i < at + length; i++) {
    const c = s.charCodeAt(i);
    if (c === 48) continue;
    if (hexValue(c) < 0) return false;
    nonZero = true;
  }
  return nonZero;
}

/**
 * Parses an inbound `traceparent` header strictly (W3C Trace Context Level 2).
 * Returns `undefined` for anything invalid, including two headers (an array of
 * more than one, or duplicates joined with a comma); never throws.
 *
 * @example parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
 * // { traceId: '4bf9...', spanId: '00f0...', sampled: true, random: false, isRemote: true }
 */
export function parseTraceparent(
  value: string | string[] | undefined | null,
): SpanContext | undefined {
  let header: unknown = value;
  if (Array.isArray(header)) {
    // "traceparent" is a single-valued header: a repeated header is invalid.
    if (header.length !== 1) return undefined;
    header = header[0];
  }
  if (typeof header !== 'string') return undefined;

  // Leading and trailing spaces and tabs are OWS around the field value.
  let start = 0;
  let end = header.length;
  while (start < end) {
    const c = header.charCodeAt(start);
    if (c !== SPACE && c !== TAB) break;
    start++;
  }
  while (end > start) {
    const c = header.charCodeAt(end - 1);
    if (c !== SPACE && c !== TAB) break;
    end--;
  }
  const length = end - start;
  if (length < VERSION_00_LENGTH) return undefined;

  // "version": 2 lowercase hex followed by a dash; version ff is invalid.
  const v0 = hexValue(header.charCodeAt(start));
  const v1 = hexValue(header.charCodeAt(start + 1));
  if (v0 < 0 || v1 < 0 || header.charCodeAt(start + 2) !== DASH) return undefined;
  const version = v0 * 16 + v1;
  if (version === 0xff) return undefined;
  if (version === 0) {
    // Version 00 has nothing after the flags.
    if (length !== VERSION_00_LENGTH) return undefined;
  } else if (length > VERSION_00_LENGTH) {
    // "Versioning of traceparent": a higher version is read by the 00 layout,
    // and its flags must be followed by the end of the string or a dash.
    if (header.charCodeAt(start + VERSION_00_LENGTH) !== DASH) return undefined;
    // A comma can only come from duplicate headers joined into one value.
    for (let i = start + VERSION_00_LENGTH + 1; i < end; i++) {
      if (header.charCodeAt(i) === COMMA) return undefined;
    }
  }

  if (!isNonZeroHex(header, start + TRACE_ID_AT, 32)) return undefined;
  if (header.charCodeAt(start + TRACE_ID_AT + 32) !== DASH) return undefined;
  if (!isNonZeroHex(header, start + PARENT_ID_AT, 16)) return undefined;
  if (header.charCodeAt(start + PARENT_ID_AT + 16) !== DASH) return undefined;
  const f0 = hexValue(header.charCodeAt(start + FLAGS_AT));
  const f1 = hexValue(header.charCodeAt(start + FLAGS_AT + 1));
  if (f0 < 0 || f1 < 0) return undefined;
  // Only the bits this implementation knows are read; the rest are reserved.
  const flags = f0 * 16 + f1;

  return {
    traceId: header.slice(start + TRACE_ID_AT, start + TRACE_ID_AT + 32),
    spanId: header.slice(start + PARENT_ID_AT, start + PARENT_ID_AT + 16),
    sampled: (flags & FLAG_SAMPLED) !== 0,
    random: (flags & FLAG_RANDOM) !== 0,
    isRemote: true,
  };
}

const FLAGS_HEX = ['00', '01', '02', '03'] as const;

/**
 * Formats an outbound `traceparent`, always version `00`, with the sampled and
 * random flags. The ids must already be valid (32 and 16 lowercase hex, not all
 * zeros); `injectContext` checks them before calling this.
 *
 * @example formatTraceparent({ traceId, spanId, sampled: true, random: true }) // '00-…-…-03'
 */
export function formatTraceparent(ctx: {
  traceId: string;
  spanId: string;
  sampled: boolean;
  random: boolean;
}): string {
  const flags = FLAGS_HEX[(ctx.sampled ? FLAG_SAMPLED : 0) | (ctx.random ? FLAG_RANDOM : 0)];
  return '00-' + ctx.traceId + '-' + ctx.spanId + '-' + flags;
}

/** True when `traceId` and `spanId` are ids `traceparent` can carry. */
export function isValidIds(traceId: unknown, spanId: unknown): boolean {
  return (
    typeof traceId === 'string' &&
    typeof spanId === 'string' &&
    traceId.length === 32 &&
    spanId.length === 16 &&
    isNonZeroHex(traceId, 0, 32) &&
    isNonZeroHex(spanId, 0, 16)
  );
}
