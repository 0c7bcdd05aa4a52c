const SENSITIVE = [
  'token',
  'key',
  'password',
  'passwd',
  'pwd',
  'secret',
  'signature',
  'auth',
  'credential',
  'session',
  'jwt',
  'ticket',
  'passphrase',
];
const SENSITIVE_EXACT = new Set([
  'sig',
  'code',
  'sid',
  'otp',
  'pass',
  'x-amz-security-token',
  'awsaccesskeyid',
]);

/**
 * Replaces the values of sensitive query parameters, keeping names, order and
 * separators (`&`, and the `;` some servers also split on) so the query stays
 * useful for debugging.
 */
export function redactQuery(query: string, extra: readonly string[], replacement: string): string {
  let out = '';
  let start = 0;
  while (start <= query.length) {
    const end = nextSeparator(query, start);
    const pair = query.slice(start, end);
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    if (eq !== -1 && isSensitive(decodeName(rawName), extra)) out += `${rawName}=${replacement}`;
    else out += pair;
    if (end < query.length) out += query[end];
    start = end + 1;
  }
  return out;
}

function nextSeparator(query: string, from: number): number {
  for (let i = from; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c === 38 /* & */ || c === 59 /* ; */) return i;
  }
  return query.length;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

function isSensitive(name: string, extra: readonly string[]): boolean {
  if (SENSITIVE_EXACT.has(name)) return true;
  for (const part of SENSITIVE) if (name.includes(part)) return true;
  for (const part of extra) if (name.includes(part.toLowerCase())) return true;
  return false;
}
