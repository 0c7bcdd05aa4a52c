import type { BaggageEntry } from '../types';

/*
 * W3C Baggage, "Definition":
 *   baggage-string = list-member 0*179( OWS "," OWS list-member )
 *   list-member    = key OWS "=" OWS value *( OWS ";" OWS property )
 *   property       = key OWS "=" OWS value / key OWS
 *   key            = token                      ; RFC 7230 section 3.2.6
 *   value          = *baggage-octet
 *   baggage-octet  = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
 *
 * Choices where the specification leaves room ("Mutating baggage" lets a
 * system drop entries that are not in the format, and drop entries beyond the
 * "Limits"):
 * - A member that breaks the grammar, or whose value has a malformed percent
 *   escape (a `%` not followed by two hex digits), is dropped on its own; the
 *   rest of the header is kept.
 * - Well-formed escapes that are not valid UTF-8 decode to U+FFFD, as "value"
 *   requires.
 * - Limits are exactly the minimums the spec requires a platform to carry: 64
 *   members and 8192 bytes. Members are kept in header order; one that would
 *   overflow the byte budget is skipped and later, smaller ones may still fit.
 *   Past the 64th kept member everything is dropped.
 * - A repeated key keeps its first member (the spec allows first, last or
 *   merged; first matches `tracestate`).
 * - Properties are validated against the grammar and then kept verbatim, from
 *   their leading `;`, in `metadata`; they are never decoded.
 * - Parsing never reads more than the first 16384 characters (twice the byte
 *   limit, room for OWS and skipped members); a member cut by that bound is
 *   dropped, so hostile headers cost bounded work.
 */

const MAX_MEMBERS = 64;
const MAX_BYTES = 8192;
const SCAN_LIMIT = 2 * MAX_BYTES;

const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;
const SEMICOLON = 0x3b;
const PERCENT = 0x25;

// RFC 7230 tchar: "!" "#" "$" "%" "&" "'" "*" "+" "-" "." "^" "_" "`" "|" "~" DIGIT ALPHA
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

function isBaggageOctet(c: number): boolean {
  return (
    c === 0x21 ||
    (c >= 0x23 && c <= 0x2b) ||
    (c >= 0x2d && c <= 0x3a) ||
    (c >= 0x3c && c <= 0x5b) ||
    (c >= 0x5d && c <= 0x7e)
  );
}

function isOws(c: number): boolean {
  return c === SPACE || c === TAB;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** True when `key` is a `token`, so it can be a baggage key. */
export function isBaggageKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length === 0) return false;
  for (let i = 0; i < key.length; i++) if (!isTchar(key.charCodeAt(i))) return false;
  return true;
}

/** The end of a valid property list starting at the `;` at `at`, or -1. */
function propertiesEnd(s: string, at: number, end: number): number {
  let i = at;
  while (i < end) {
    // s[i] is ";"
    i++;
    while (i < end && isOws(s.charCodeAt(i))) i++;
    const keyStart = i;
    while (i < end && isTchar(s.charCodeAt(i))) i++;
    if (i === keyStart) return -1;
    while (i < end && isOws(s.charCodeAt(i))) i++;
    if (i < end && s.charCodeAt(i) === EQUALS) {
      i++;
      while (i < end && isOws(s.charCodeAt(i))) i++;
      while (i < end && isBaggageOctet(s.charCodeAt(i))) i++;
      while (i < end && isOws(s.charCodeAt(i))) i++;
    }
    if (i < end && s.charCodeAt(i) !== SEMICOLON) return -1;
  }
  return i;
}

let decoder: { decode(input: Uint8Array): string } | undefined;

/** Percent-decodes `s[start, end)` as UTF-8; `undefined` for a malformed escape. */
function percentDecode(s: string, start: number, end: number): string | undefined {
  const bytes = new Uint8Array(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c !== PERCENT) {
      bytes[n++] = c;
      continue;
    }
    if (i + 2 >= end) return undefined;
    const hi = hexValue(s.charCodeAt(i + 1));
    const lo = hexValue(s.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return undefined;
    bytes[n++] = hi * 16 + lo;
    i += 2;
  }
  // ignoreBOM keeps a leading U+FEFF that the sender encoded on purpose.
  decoder ??= new TextDecoder('utf-8', { ignoreBOM: true });
  return decoder.decode(bytes.subarray(0, n));
}

const HEX_UPPER = '0123456789ABCDEF';

function appendByte(out: string, byte: number): string {
  return out + '%' + HEX_UPPER[byte >> 4] + HEX_UPPER[byte & 0x0f];
}

/**
 * Percent-encodes every character outside `baggage-octet`, and `%` itself so
 * decoding gives the value back, as UTF-8. Lone surrogates become U+FFFD
 * rather than throwing as `encodeURIComponent` would.
 */
function percentEncode(value: string): string {
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === PERCENT || !isBaggageOctet(c)) {
      plain = false;
      break;
    }
  }
  if (plain) return value;

  let out = '';
  for (let i = 0; i < value.length; i++) {
    let cp = value.charCodeAt(i);
    if (cp < 0x80) {
      out = cp !== PERCENT && isBaggageOctet(cp) ? out + value[i] : appendByte(out, cp);
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const next = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      cp = 0xfffd;
    }
    if (cp < 0x800) {
      out = appendByte(out, 0xc0 | (cp >> 6));
    } else if (cp < 0x10000) {
      out = appendByte(out, 0xe0 | (cp >> 12));
      out = appendByte(out, 0x80 | ((cp >> 6) & 0x3f));
    } else {
      out = appendByte(out, 0xf0 | (cp >> 18));
      out = appendByte(out, 0x80 | ((cp >> 12) & 0x3f));
      out = appendByte(out, 0x80 | ((cp >> 6) & 0x3f));
    }
    out = appendByte(out, 0x80 | (cp & 0x3f));
  }
  return out;
}

/** The text `parseBaggage` reads: arrays joined in order, never more than `SCAN_LIMIT`. */
function boundedHeader(value: string | string[] | undefined | null): string {
  let header = '';
  if (typeof value === 'string') {
    header = value;
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length && header.length <= SCAN_LIMIT; i++) {
      const part: unknown = value[i];
      if (typeof part !== 'string') continue;
      header = header.length === 0 ? part : header + ',' + part;
    }
  }
  if (header.length <= SCAN_LIMIT) return header;
  // Keep whole members only: a member cut in half could still look valid.
  const cut = header.lastIndexOf(',', SCAN_LIMIT);
  return cut < 0 ? '' : header.slice(0, cut);
}

/**
 * Parses inbound `baggage` headers (several are joined in order) into a map of
 * decoded values, with properties kept verbatim in `metadata`. Invalid members
 * are dropped one by one; at most 64 members and 8192 bytes are kept. Never
 * throws.
 *
 * @example parseBaggage('userId=alice, serverNode=DF%2028;region=eu')
 * // Map { 'userId' => { value: 'alice' }, 'serverNode' => { value: 'DF 28', metadata: ';region=eu' } }
 */
export function parseBaggage(
  value: string | string[] | undefined | null,
): Map<string, BaggageEntry> {
  const map = new Map<string, BaggageEntry>();
  const header = boundedHeader(value);
  const length = header.length;
  let bytes = 0;
  let at = 0;
  while (at < length && map.size < MAX_MEMBERS) {
    let next = header.indexOf(',', at);
    if (next < 0) next = length;
    let start = at;
    let end = next;
    at = next + 1;
    while (start < end && isOws(header.charCodeAt(start))) start++;
    while (end > start && isOws(header.charCodeAt(end - 1))) end--;
    if (start === end) continue;

    let i = start;
    while (i < end && isTchar(header.charCodeAt(i))) i++;
    const keyEnd = i;
    if (keyEnd === start) continue;
    while (i < end && isOws(header.charCodeAt(i))) i++;
    if (i === end || header.charCodeAt(i) !== EQUALS) continue;
    i++;
    while (i < end && isOws(header.charCodeAt(i))) i++;
    const valueStart = i;
    let escaped = false;
    for (; i < end; i++) {
      const c = header.charCodeAt(i);
      if (!isBaggageOctet(c)) break;
      if (c === PERCENT) escaped = true;
    }
    const valueEnd = i;
    while (i < end && isOws(header.charCodeAt(i))) i++;
    let metadata: string | undefined;
    if (i < end) {
      if (header.charCodeAt(i) !== SEMICOLON || propertiesEnd(header, i, end) !== end) continue;
      metadata = header.slice(i, end);
    }

    const size = end - start + (map.size === 0 ? 0 : 1);
    if (bytes + size > MAX_BYTES) continue;
    const key = header.slice(start, keyEnd);
    if (map.has(key)) continue;
    const decoded = escaped
      ? percentDecode(header, valueStart, valueEnd)
      : header.slice(valueStart, valueEnd);
    if (decoded === undefined) continue;

    bytes += size;
    map.set(key, metadata === undefined ? { value: decoded } : { value: decoded, metadata });
  }
  return map;
}

/** `metadata` as it goes on the wire (leading `;`), or undefined when empty; null when invalid. */
function wireMetadata(metadata: unknown): string | undefined | null {
  if (metadata === undefined || metadata === null) return undefined;
  if (typeof metadata !== 'string') return null;
  let start = 0;
  let end = metadata.length;
  while (start < end && isOws(metadata.charCodeAt(start))) start++;
  while (end > start && isOws(metadata.charCodeAt(end - 1))) end--;
  if (start === end) return undefined;
  const wire =
    metadata.charCodeAt(start) === SEMICOLON
      ? metadata.slice(start, end)
      : ';' + metadata.slice(start, end);
  return propertiesEnd(wire, 0, wire.length) === wire.length ? wire : null;
}

/**
 * Formats entries as a `baggage` value: values percent-encoded as UTF-8,
 * metadata appended verbatim. A member with an invalid key or metadata is left
 * out, as is any member that would take the header past 64 members or 8192
 * bytes (later, smaller members may still fit).
 *
 * @example formatBaggage(new Map([['userId', { value: 'alice' }], ['node', { value: 'DF 28' }]]))
 * // 'userId=alice,node=DF%2028'
 */
export function formatBaggage(map: ReadonlyMap<string, BaggageEntry>): string {
  let out = '';
  let count = 0;
  try {
    for (const [key, entry] of map) {
      if (count === MAX_MEMBERS) break;
      const value = entry?.value;
      if (!isBaggageKey(key) || typeof value !== 'string') continue;
      // Encoding never shortens a value, so an oversized one is skipped before the work.
      if (key.length + 1 + value.length > MAX_BYTES) continue;
      const metadata = wireMetadata(entry.metadata);
      if (metadata === null) continue;
      let member = key + '=' + percentEncode(value);
      if (metadata !== undefined) member += metadata;
      if (out.length + member.length + (count === 0 ? 0 : 1) > MAX_BYTES) continue;
      out = count === 0 ? member : out + ',' + member;
      count++;
    }
  } catch {
    // A map-like whose iteration throws yields what was formatted so far.
  }
  return out;
}
