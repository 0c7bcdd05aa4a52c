import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatTracestate,
  isTracestateKey,
  isTracestateValue,
  parseTracestate,
  type TracestateEntry,
  tracestateWith,
} from '../../src/propagation/index';
import { anyHeaderInput, mutated } from './arbitraries';

function members(n: number, prefix = 'k'): string {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}=v${i}`).join(',');
}

function entries(n: number, prefix = 'k'): TracestateEntry[] {
  return Array.from({ length: n }, (_, i): TracestateEntry => [`${prefix}${i}`, `v${i}`]);
}

/*
 * Conformance table, from W3C Trace Context Level 2, section "Tracestate
 * Header": "tracestate Header Field Values", "list", "list-members", "Key",
 * "Value" and "Combined Header Value".
 */
const accepted: Array<[string, string | string[], TracestateEntry[]]> = [
  // "Examples of tracestate HTTP Headers"
  ['single member', 'rojo=00f067aa0ba902b7', [['rojo', '00f067aa0ba902b7']]],
  [
    'two members',
    'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    [
      ['rojo', '00f067aa0ba902b7'],
      ['congo', 't61rcWkgMzE'],
    ],
  ],
  // "list": spaces and horizontal tabs surrounding list-members are ignored
  [
    'OWS around members',
    ' rojo=1 ,\tcongo=2\t',
    [
      ['rojo', '1'],
      ['congo', '2'],
    ],
  ],
  // Empty and whitespace-only list members are allowed
  ['empty header', '', []],
  ['whitespace-only header', ' \t ', []],
  ['only commas', ',, ,', []],
  [
    'empty members between and around',
    ',a=1,, ,b=2,',
    [
      ['a', '1'],
      ['b', '2'],
    ],
  ],
  // Multiple tracestate header fields are combined in order (RFC 7230 Field Order)
  [
    'two headers',
    ['a=1', 'b=2'],
    [
      ['a', '1'],
      ['b', '2'],
    ],
  ],
  [
    'two headers with commas at the seams',
    ['a=1,', ',b=2'],
    [
      ['a', '1'],
      ['b', '2'],
    ],
  ],
  ['an empty second header', ['a=1', ''], [['a', '1']]],
  ['no headers', [], []],
  // "Combined Header Value": only one entry per key; the left-most is kept
  [
    'duplicate keys keep the first',
    'a=1,b=2,a=3',
    [
      ['a', '1'],
      ['b', '2'],
    ],
  ],
  [
    'duplicate keys across headers',
    ['a=1', 'a=2,b=3'],
    [
      ['a', '1'],
      ['b', '3'],
    ],
  ],
  // "Key": ( lcalpha / DIGIT ) 0*255( keychar ), keychar includes _ - * / @
  ['multi-tenant key', 'fw529a3039@dt=x', [['fw529a3039@dt', 'x']]],
  ['multi-tenant key, digit tenant', '1tenant@vendor=x', [['1tenant@vendor', 'x']]],
  ['every key character', 'a0_-*/@z=x', [['a0_-*/@z', 'x']]],
  // Level 2 accepts keys the Level 1 split rejected
  ['key starting with a digit', '1abc=x', [['1abc', 'x']]],
  ['key with two at signs', 'a@b@c=x', [['a@b@c', 'x']]],
  ['key ending in an at sign', 'abc@=x', [['abc@', 'x']]],
  [
    'long system part after @',
    't@abcdefghijklmnopqrstuvwxyz=x',
    [['t@abcdefghijklmnopqrstuvwxyz', 'x']],
  ],
  ['256-char key', `${'k'.repeat(256)}=x`, [['k'.repeat(256), 'x']]],
  // "Value": printable ASCII except , and =, ending in a non-space
  ['256-char value', `k=${'v'.repeat(256)}`, [['k', 'v'.repeat(256)]]],
  ['leading spaces are part of the value', 'k=  v', [['k', '  v']]],
  ['trailing spaces are OWS', 'k=v   ', [['k', 'v']]],
  ['inner spaces are kept', 'k=a b', [['k', 'a b']]],
  ['every printable value character', 'k=!"#+-</>~', [['k', '!"#+-</>~']]],
  // "list": at most 32 members
  ['32 members', members(32), entries(32)],
  ['32 members and empty ones', `,${members(32)},, ,`, entries(32)],
];

const rejected: Array<[string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['33 members', members(33)],
  ['33 members across headers', [members(16), members(17, 'j')]],
  ['one invalid member discards all', 'a=1,B=2,c=3'],
  ['uppercase key', 'Rojo=1'],
  ['key starting with an underscore', '_a=1'],
  ['key starting with @', '@dt=1'],
  ['key with a dot', 'a.b=1'],
  ['space before =', 'a =1'],
  ['space inside the key', 'a b=1'],
  ['empty key', '=1'],
  ['257-char key', `${'k'.repeat(257)}=x`],
  ['no =', 'rojo'],
  ['empty value', 'a='],
  ['whitespace-only value', 'a=   '],
  ['= in the value', 'a=b=c'],
  ['tab inside the value', 'a=x\ty'],
  ['control character in the value', 'a=x\u0001'],
  ['DEL in the value', 'a=x\u007f'],
  ['non-ASCII value', 'a=é'],
  ['257-char value', `k=${'v'.repeat(257)}`],
  ['an array holding a non-string', ['a=1', 42]],
  ['a number', 42],
];

describe('parseTracestate conformance', () => {
  it.each(accepted)('accepts %s', (_name, input, expected) => {
    expect(parseTracestate(input)).toEqual(expected);
  });

  it.each(rejected)('discards %s', (_name, input) => {
    expect(parseTracestate(input as string)).toEqual([]);
  });
});

describe('formatTracestate', () => {
  it('joins members with commas', () => {
    expect(
      formatTracestate([
        ['rojo', '00f067aa0ba902b7'],
        ['congo', 't61rcWkgMzE'],
      ]),
    ).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(formatTracestate([])).toBe('');
  });

  it('leaves out invalid and repeated members, and members past the 32nd', () => {
    expect(
      formatTracestate([
        ['a', '1'],
        ['B', '2'],
        ['c', 'x,y'],
        ['a', '3'],
        ['d', '4'],
      ]),
    ).toBe('a=1,d=4');
    expect(formatTracestate(entries(40))).toBe(members(32));
  });
});

describe('tracestateWith ("Mutating the tracestate Field")', () => {
  const base = entries(3);

  it('adds a new member on the left', () => {
    expect(tracestateWith(base, 'tw', 'x')).toEqual([['tw', 'x'], ...base]);
  });

  it('moves a modified member to the left', () => {
    expect(tracestateWith(base, 'k2', 'new')).toEqual([
      ['k2', 'new'],
      ['k0', 'v0'],
      ['k1', 'v1'],
    ]);
  });

  it('drops right-most members beyond 32', () => {
    const full = entries(32);
    const next = tracestateWith(full, 'tw', 'x');
    expect(next).toHaveLength(32);
    expect(next[0]).toEqual(['tw', 'x']);
    expect(next[31]).toEqual(['k30', 'v30']);
  });

  it('returns the entries unchanged for an invalid key or value', () => {
    expect(tracestateWith(base, 'Bad', 'x')).toEqual(base);
    expect(tracestateWith(base, 'ok', 'a,b')).toEqual(base);
    expect(tracestateWith(base, 'ok', '')).toEqual(base);
    expect(tracestateWith(base, 'k'.repeat(257), 'x')).toEqual(base);
  });

  it('never mutates its input', () => {
    const input = entries(3);
    const copy = structuredClone(input);
    tracestateWith(input, 'k1', 'changed');
    tracestateWith(input, 'Bad', 'x');
    expect(input).toEqual(copy);
  });
});

const KEY_RE = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
const VALUE_RE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** The spec's rules with split and regexes, independently of the parser. */
function oracle(input: unknown): TracestateEntry[] {
  let header: string;
  if (typeof input === 'string') header = input;
  else if (Array.isArray(input) && input.every((p) => typeof p === 'string'))
    header = input.join(',');
  else return [];
  const list = header
    .split(',')
    .map((m) => m.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((m) => m !== '');
  if (list.length > 32) return [];
  const out: TracestateEntry[] = [];
  for (const member of list) {
    const eq = member.indexOf('=');
    if (eq < 0) return [];
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    if (!KEY_RE.test(key) || !VALUE_RE.test(value)) return [];
    if (!out.some(([k]) => k === key)) out.push([key, value]);
  }
  return out;
}

const keyArb = fc
  .tuple(
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
    fc.string({ unit: fc.constantFrom(...'abcz09_-*/@'), maxLength: 20 }),
  )
  .map(([first, rest]) => first + rest);

const valueArb = fc
  .tuple(
    fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 30,
    }),
    fc.constantFrom('!', 'x', '~', '0'),
  )
  .map(([body, last]) => body.replace(/[,=]/g, '') + last);

const entriesArb = fc.uniqueArray(fc.tuple(keyArb, valueArb), {
  maxLength: 32,
  selector: ([k]) => k,
});

const validHeader = fc
  .tuple(entriesArb, fc.constantFrom(',', ', ', ' ,\t', ',,'))
  .map(([list, sep]) => list.map(([k, v]) => `${k}=${v}`).join(sep));

function assertWellFormed(result: TracestateEntry[]): void {
  expect(result.length).toBeLessThanOrEqual(32);
  expect(new Set(result.map(([k]) => k)).size).toBe(result.length);
  for (const [key, value] of result) {
    expect(key).toMatch(KEY_RE);
    expect(value).toMatch(VALUE_RE);
  }
  // Whatever was accepted re-formats to a header that parses back to the same list.
  expect(parseTracestate(formatTracestate(result))).toEqual(result);
}

describe('parseTracestate properties', () => {
  it('round-trips format -> parse for any valid entries', () => {
    fc.assert(
      fc.property(entriesArb, (list) => {
        expect(parseTracestate(formatTracestate(list))).toEqual(list);
      }),
    );
  });

  it('never throws and only yields valid members on arbitrary input', () => {
    fc.assert(
      fc.property(anyHeaderInput, (input) => {
        assertWellFormed(parseTracestate(input));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with a split-and-regex oracle of the spec on mutated valid headers', () => {
    fc.assert(
      fc.property(mutated(validHeader), (header) => {
        const result = parseTracestate(header);
        expect(result).toEqual(oracle(header));
        assertWellFormed(result);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps the key and value predicates in line with the grammar', () => {
    fc.assert(
      fc.property(fc.oneof(keyArb, valueArb, fc.string({ maxLength: 10 })), (s) => {
        expect(isTracestateKey(s)).toBe(KEY_RE.test(s));
        expect(isTracestateValue(s)).toBe(VALUE_RE.test(s));
      }),
    );
  });

  it('tracestateWith always yields a list parse accepts, with the new member first', () => {
    fc.assert(
      fc.property(entriesArb, keyArb, valueArb, (list, key, value) => {
        const next = tracestateWith(list, key, value);
        expect(next[0]).toEqual([key, value]);
        expect(next.length).toBeLessThanOrEqual(32);
        expect(parseTracestate(formatTracestate(next))).toEqual(next);
      }),
    );
  });
});
