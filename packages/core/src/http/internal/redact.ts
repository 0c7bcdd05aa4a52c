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
];
const SENSITIVE_EXACT = new Set(['sig', 'code', 'x-amz-security-token', 'awsaccesskeyid']);

/**
 * Replaces the values of sensitive query parameters, keeping names and order so
 * the query stays useful for debugging.
 */
export function redactQuery(query: string, extra: readonly string[], replacement: string): string {
  let out = '';
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    const pair = query.slice(start, end);
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    if (out !== '' || start > 0) out += '&';
    if (eq !== -1 && isSensitive(decodeName(rawName), extra)) out += `${rawName}=${replacement}`;
    else out += pair;
    start = end + 1;
  }
  return out;
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
