/*
 * W3C Trace Context Level 2, "Tracestate Header":
 *   list        = list-member 0*31( OWS "," OWS list-member )
 *   list-member = key "=" value / OWS
 *   key         = ( lcalpha / DIGIT ) 0*255( keychar )
 *   keychar     = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
 *   value       = 0*255( chr ) nblk-chr
 *   nblk-chr    = %x21-2B / %x2D-3C / %x3E-7E
 *   chr         = %x20 / nblk-chr
 * Level 2 replaced Level 1's simple-key / multi-tenant-key split with this
 * single rule; every Level 1 key is still valid.
 */

/** One `tracestate` list-member. */
export type TracestateEntry = [key: string, value: string];

const MAX_MEMBERS = 32;
const MAX_KEY_LENGTH = 256;
const MAX_VALUE_LENGTH = 256;

const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const EQUALS = 0x3d;

function isLcAlphaOrDigit(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

function isKeyChar(c: number): boolean {
  // "_" "-" "*" "/" "@"
  return isLcAlphaOrDigit(c) || c === 0x5f || c === 0x2d || c === 0x2a || c === 0x2f || c === 0x40;
}

function isKeyAt(s: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > MAX_KEY_LENGTH) return false;
  if (!isLcAlphaOrDigit(s.charCodeAt(start))) return false;
  for (let i = start + 1; i < end; i++) {
    if (!isKeyChar(s.charCodeAt(i))) return false;
  }
  return true;
}

function isValueAt(s: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > MAX_VALUE_LENGTH) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < SPACE || c > 0x7e || c === COMMA || c === EQUALS) return false;
  }
  return s.charCodeAt(end - 1) !== SPACE;
}

/** True when `key` matches the `tracestate` key grammar. */
export function isTracestateKey(key: unknown): key is string {
  return typeof key === 'string' && isKeyAt(key, 0, key.length);
}

/** True when `value` matches the `tracestate` value grammar. */
export function isTracestateValue(value: unknown): value is string {
  return typeof value === 'string' && isValueAt(value, 0, value.length);
}

/**
 * Parses inbound `tracestate` headers (several are joined with `,` in order).
 * Empty and whitespace-only members are skipped; one invalid member or more
 * than 32 members discards the whole header (returns `[]`); a repeated key keeps
 * its first (left-most) member. Never throws.
 *
 * @example parseTracestate('rojo=00f067aa0ba902b7, congo=t61rcWkgMzE')
 * // [['rojo', '00f067aa0ba902b7'], ['congo', 't61rcWkgMzE']]
 */
export function parseTracestate(value: string | string[] | undefined | null): TracestateEntry[] {
  let header: string;
  if (typeof value === 'string') {
    header = value;
  } else if (Array.isArray(value)) {
    // RFC 7230 "Field Order": repeated fields combine as one comma-joined list.
    header = '';
    for (let i = 0; i < value.length; i++) {
      const part: unknown = value[i];
      if (typeof part !== 'string') return [];
      header = i === 0 ? part : header + ',' + part;
    }
  } else {
    return [];
  }

  // One forward walk that stops at the first invalid or 33rd member, so the work
  // is linear in the header and a hostile one ends early.
  const entries: TracestateEntry[] = [];
  let members = 0;
  let at = 0;
  const length = header.length;
  while (at <= length) {
    let next = header.indexOf(',', at);
    if (next < 0) next = length;
    let start = at;
    let end = next;
    at = next + 1;
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
    // Empty members are skipped without counting toward the 32: they exist only
    // because joined headers and injected whitespace produce them.
    if (start === end) continue;
    if (++members > MAX_MEMBERS) return [];
    const eq = header.indexOf('=', start);
    if (eq < 0 || eq >= end) return [];
    if (!isKeyAt(header, start, eq) || !isValueAt(header, eq + 1, end)) return [];
    const key = header.slice(start, eq);
    if (hasKey(entries, key)) continue;
    entries.push([key, header.slice(eq + 1, end)]);
  }
  return entries;
}

function hasKey(entries: readonly TracestateEntry[], key: string): boolean {
  for (const entry of entries) if (entry[0] === key) return true;
  return false;
}

/**
 * Formats entries as a `tracestate` value. Members that break the grammar,
 * repeat an earlier key, or come after the 32nd are left out, so the result is
 * always a header `parseTracestate` accepts.
 *
 * @example formatTracestate([['rojo', '00f067aa0ba902b7'], ['congo', 't61rcWkgMzE']])
 * // 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'
 */
export function formatTracestate(entries: readonly (readonly [string, string])[]): string {
  let out = '';
  let count = 0;
  const seen: TracestateEntry[] = [];
  for (const entry of entries) {
    if (count === MAX_MEMBERS) break;
    const key = entry?.[0];
    const value = entry?.[1];
    if (!isTracestateKey(key) || !isTracestateValue(value) || hasKey(seen, key)) continue;
    seen.push([key, value]);
    out = count === 0 ? key + '=' + value : out + ',' + key + '=' + value;
    count++;
  }
  return out;
}

/**
 * Returns a new list with `key=value` as the first member: per "Mutating the
 * tracestate Field", a modified or added member moves to the left. Any earlier
 * member with that key is removed, and members beyond 32 are dropped from the
 * right. An invalid key or value returns a copy of `entries` unchanged.
 *
 * @example tracestateWith([['congo', 't61rcWkgMzE']], 'rojo', '00f067aa0ba902b7')
 * // [['rojo', '00f067aa0ba902b7'], ['congo', 't61rcWkgMzE']]
 */
export function tracestateWith(
  entries: readonly TracestateEntry[],
  key: string,
  value: string,
): TracestateEntry[] {
  if (!isTracestateKey(key) || !isTracestateValue(value)) return entries.slice();
  const out: TracestateEntry[] = [[key, value]];
  for (const entry of entries) {
    if (out.length === MAX_MEMBERS) break;
    if (entry[0] !== key) out.push(entry);
  }
  return out;
}
