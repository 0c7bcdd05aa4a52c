import type { Mask } from './mask';

/** What `sensitiveDataMasker()` looks for; each is on unless set to false. */
export interface SensitiveDataMaskerOptions {
  /** `jane@example.com` -> `[EMAIL]`. */
  emails?: boolean;
  /** Payment card numbers (13–19 digits, spaces or dashes allowed, Luhn-valid) -> `[CARD]`. */
  cards?: boolean;
  /**
   * API-key-shaped strings -> `[API_KEY]`: OpenAI/Anthropic `sk-...`, AWS `AKIA...`,
   * GitHub `ghp_...`, Slack `xox.-...`, Google `AIza...`, Stripe `sk_live_...`,
   * JWTs and `Bearer` tokens.
   */
  apiKeys?: boolean;
  /**
   * Object keys whose whole value is replaced by `[REDACTED]` (case-insensitive,
   * substring). Default: password, passwd, secret, token, api_key, apikey,
   * authorization, cookie. `[]` turns it off.
   */
  keys?: readonly string[];
  /** More patterns to replace with `[REDACTED]` (made global if they are not). */
  patterns?: readonly RegExp[];
}

// The lookbehind starts a match only where a local part starts: without it, a long run of
// word characters with no `@` costs quadratic time.
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const CARD_CANDIDATE = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
const API_KEY =
  /\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})|\b[Bb]earer\s+[A-Za-z0-9._~+/-]{16,}=*/g;
const DEFAULT_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'api_key',
  'apikey',
  'api-key',
  'authorization',
  'cookie',
];
const MAX_DEPTH = 32;

/**
 * A ready `mask` that redacts emails, payment card numbers and API-key-shaped
 * strings wherever they appear in IO, attributes and logs (inside nested objects
 * and arrays too), and the whole value of secret-named keys.
 *
 * @example
 * createTracer({ serviceName: 'chat', exporter, mask: sensitiveDataMasker() });
 */
export function sensitiveDataMasker(options: SensitiveDataMaskerOptions = {}): Mask {
  const emails = options.emails !== false;
  const cards = options.cards !== false;
  const apiKeys = options.apiKeys !== false;
  const keys = (options.keys ?? DEFAULT_KEYS).map((k) => k.toLowerCase());
  const patterns = (options.patterns ?? []).map((pattern) =>
    pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`),
  );
  const secretKey = (key: string) => {
    const lower = key.toLowerCase();
    return keys.some((k) => lower.includes(k));
  };
  const text = (value: string): string => {
    let out = value;
    if (apiKeys) out = out.replace(API_KEY, '[API_KEY]');
    if (emails) out = out.replace(EMAIL, '[EMAIL]');
    if (cards) out = out.replace(CARD_CANDIDATE, (match) => (luhn(match) ? '[CARD]' : match));
    for (const pattern of patterns) out = out.replace(pattern, '[REDACTED]');
    return out;
  };
  const walk = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return text(value);
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
    if (seen.has(value)) return value;
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        secretKey(key) && typeof item === 'string' && item !== ''
          ? '[REDACTED]'
          : walk(item, depth + 1, seen);
    }
    return out;
  };
  return (value, field) => {
    if ((field.kind === 'attribute' || field.kind === 'log') && field.key && secretKey(field.key)) {
      return typeof value === 'string' && value !== '' ? '[REDACTED]' : value;
    }
    return walk(value, 0, new WeakSet());
  };
}

function luhn(candidate: string): boolean {
  let sum = 0;
  let double = false;
  let digits = 0;
  for (let i = candidate.length - 1; i >= 0; i--) {
    const code = candidate.charCodeAt(i);
    if (code < 48 || code > 57) continue;
    let d = code - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
    digits++;
  }
  return digits >= 13 && digits <= 19 && sum % 10 === 0;
}
