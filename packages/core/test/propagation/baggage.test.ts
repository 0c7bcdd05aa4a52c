import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBaggage, isBaggageKey, parseBaggage } from '../../src/propagation/index';
import type { BaggageEntry } from '../../src/types';
import { anyHeaderInput, mutated } from './arbitraries';

type Expected = Record<string, BaggageEntry>;

function asObject(map: Map<string, BaggageEntry>): Expected {
  return Object.fromEntries(map);
}

function many(n: number): string {
  return Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',');
}

/*
 * Conformance table, from W3C Baggage, "Header Content": "Definition",
 * "baggage-string", "key", "value", "property", "Limits", "Example" and
 * "Examples of HTTP headers", plus "Mutating baggage" for what may be dropped.
 */
const table: Array<[string, string | string[], Expected]> = [
  // "Example"
  [
    'spec example with properties and OWS',
    'key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue',
    {
      key1: { value: 'value1', metadata: ';property1;property2' },
      key2: { value: 'value2' },
      key3: { value: 'value3', metadata: '; propertyKey=propertyValue' },
    },
  ],
  // "Examples of HTTP headers"
  [
    'single header, percent-encoded space',
    'userId=alice,serverNode=DF%2028,isProduction=false',
    {
      userId: { value: 'alice' },
      serverNode: { value: 'DF 28' },
      isProduction: { value: 'false' },
    },
  ],
  [
    'context split into multiple headers',
    ['userId=alice', 'serverNode=DF%2028,isProduction=false'],
    {
      userId: { value: 'alice' },
      serverNode: { value: 'DF 28' },
      isProduction: { value: 'false' },
    },
  ],
  [
    'values and names that begin and end with spaces',
    ['userId =   alice', 'serverNode = DF%2028, isProduction = false'],
    {
      userId: { value: 'alice' },
      serverNode: { value: 'DF 28' },
      isProduction: { value: 'false' },
    },
  ],
  // "key": a token, case kept
  [
    'token punctuation in the key',
    "a!#$%&'*+-.^_`|~Z9=1",
    { "a!#$%&'*+-.^_`|~Z9": { value: '1' } },
  ],
  // "value": may contain any number of "="
  ['= inside the value', 'a=b=c==', { a: { value: 'b=c==' } }],
  ['empty value', 'a=', { a: { value: '' } }],
  ['empty value with properties', 'a=;p', { a: { value: '', metadata: ';p' } }],
  // "value": percent-encoded UTF-8; + is not a space
  ['plus is literal', 'a=x+y', { a: { value: 'x+y' } }],
  ['UTF-8 escapes, uppercase hex', 'a=%E2%9C%93', { a: { value: '✓' } }],
  ['UTF-8 escapes, lowercase hex', 'a=%e2%9c%93', { a: { value: '✓' } }],
  ['four-byte UTF-8', 'a=%F0%9F%98%80', { a: { value: '😀' } }],
  ['escaped delimiters', 'a=%2C%3B%3D%25%22%5C', { a: { value: ',;=%"\\' } }],
  ['escaped byte-order mark is kept', 'a=%EF%BB%BFx', { a: { value: '\uFEFFx' } }],
  // "value": sequences that are not UTF-8 become U+FFFD
  ['invalid UTF-8 byte', 'a=%FF', { a: { value: '\uFFFD' } }],
  ['truncated UTF-8 sequence', 'a=x%C3', { a: { value: 'x\uFFFD' } }],
  ['lone surrogate encoded as UTF-8', 'a=%ED%A0%80', { a: { value: '\uFFFD\uFFFD\uFFFD' } }],
  // malformed escapes drop only that member ("Mutating baggage")
  ['non-hex escape', 'a=%zz,b=1', { b: { value: '1' } }],
  ['short escape', 'a=%4,b=1', { b: { value: '1' } }],
  ['trailing percent', 'a=50%,b=1', { b: { value: '1' } }],
  // members that break the grammar are dropped on their own
  ['key that is not a token', '(a)=1,b=2', { b: { value: '2' } }],
  ['key with a space', 'a b=1,c=2', { c: { value: '2' } }],
  ['empty key', '=1,c=2', { c: { value: '2' } }],
  ['no =', 'a,b=1', { b: { value: '1' } }],
  ['space inside the value', 'a=x y,b=1', { b: { value: '1' } }],
  ['DQUOTE in the value', 'a="q",b=1', { b: { value: '1' } }],
  ['backslash in the value', 'a=x\\y,b=1', { b: { value: '1' } }],
  ['raw non-ASCII in the value', 'a=é,b=1', { b: { value: '1' } }],
  ['control character in the value', 'a=x\u0001,b=1', { b: { value: '1' } }],
  ['newline in the value', 'a=x\ny,b=1', { b: { value: '1' } }],
  // "property": key OWS "=" OWS value / key OWS, kept verbatim
  ['property without value', 'a=1;p', { a: { value: '1', metadata: ';p' } }],
  ['mixed properties', 'a=1;p=v;q', { a: { value: '1', metadata: ';p=v;q' } }],
  [
    'properties with OWS, trailing OWS trimmed',
    'a=1 ; p = v ;\tq \t',
    { a: { value: '1', metadata: '; p = v ;\tq' } },
  ],
  ['property values are not decoded', 'a=1;p=%20', { a: { value: '1', metadata: ';p=%20' } }],
  ['empty property', 'a=1;,b=2', { b: { value: '2' } }],
  ['property with an empty key', 'a=1;=x,b=2', { b: { value: '2' } }],
  ['property value with a space', 'a=1;p=v w,b=2', { b: { value: '2' } }],
  ['two semicolons', 'a=1;;p,b=2', { b: { value: '2' } }],
  // list handling
  ['empty header', '', {}],
  [
    'empty and whitespace-only members',
    ',a=1,, \t ,b=2,',
    { a: { value: '1' }, b: { value: '2' } },
  ],
  ['duplicate keys keep the first', 'a=1,b=2,a=3', { a: { value: '1' }, b: { value: '2' } }],
  ['keys are case-sensitive', 'a=1,A=2', { a: { value: '1' }, A: { value: '2' } }],
];

describe('parseBaggage conformance', () => {
  it.each(table)('%s', (_name, input, expected) => {
    expect(asObject(parseBaggage(input))).toEqual(expected);
  });

  it('keeps insertion order', () => {
    expect([...parseBaggage('c=1,a=2,b=3').keys()]).toEqual(['c', 'a', 'b']);
  });

  it('returns an empty map for missing or non-string input', () => {
    expect(parseBaggage(undefined).size).toBe(0);
    expect(parseBaggage(null).size).toBe(0);
    expect(parseBaggage(42 as unknown as string).size).toBe(0);
    expect(asObject(parseBaggage(['a=1', 42 as unknown as string]))).toEqual({ a: { value: '1' } });
  });
});

describe('parseBaggage limits ("Limits")', () => {
  it('keeps 64 members, in order, and drops the rest', () => {
    const map = parseBaggage(many(70));
    expect(map.size).toBe(64);
    expect([...map.keys()]).toEqual(Array.from({ length: 64 }, (_, i) => `k${i}`));
  });

  it('keeps a baggage-string of exactly 8192 bytes', () => {
    const value = '0123456789'.repeat(819);
    const map = parseBaggage(`a=${value}`);
    expect(map.get('a')?.value).toBe(value);
  });

  it('drops a member that would pass 8192 bytes, and keeps later ones that fit', () => {
    const map = parseBaggage(`first=1,big=${'x'.repeat(8190)},small=2`);
    expect(asObject(map)).toEqual({ first: { value: '1' }, small: { value: '2' } });
  });

  it('counts the separating commas toward the byte limit', () => {
    // 'a=' + 4093 = 4095 bytes, ',' 1 byte, 'b=' + 4094 = 4096 bytes: 8192 in total.
    const fits = parseBaggage(`a=${'x'.repeat(4093)},b=${'y'.repeat(4094)}`);
    expect(fits.size).toBe(2);
    const over = parseBaggage(`a=${'x'.repeat(4093)},b=${'y'.repeat(4095)}`);
    expect([...over.keys()]).toEqual(['a']);
  });

  it('ignores everything past the first 16384 characters, dropping a member cut there', () => {
    const head = 'a=1,';
    const padding = ' '.repeat(16380 - head.length);
    const map = parseBaggage(`${head}${padding}b=1234567890,c=3`);
    expect(asObject(map)).toEqual({ a: { value: '1' } });
  });

  it('handles a megabyte-sized hostile header', () => {
    const map = parseBaggage('k=v,'.repeat(250_000));
    expect(asObject(map)).toEqual({ k: { value: 'v' } });
    expect(parseBaggage(','.repeat(1_000_000)).size).toBe(0);
    expect(parseBaggage('a'.repeat(1_000_000)).size).toBe(0);
    expect(parseBaggage(Array.from({ length: 10_000 }, (_, i) => `k${i}=v`)).size).toBe(64);
  });
});

describe('formatBaggage', () => {
  it('writes members in order', () => {
    const map = new Map<string, BaggageEntry>([
      ['userId', { value: 'alice' }],
      ['isProduction', { value: 'false' }],
    ]);
    expect(formatBaggage(map)).toBe('userId=alice,isProduction=false');
    expect(formatBaggage(new Map())).toBe('');
  });

  it('percent-encodes characters outside baggage-octet, and % itself', () => {
    const encode = (value: string) => formatBaggage(new Map([['a', { value }]]));
    expect(encode('DF 28')).toBe('a=DF%2028');
    expect(encode('50%')).toBe('a=50%25');
    expect(encode(',;"\\')).toBe('a=%2C%3B%22%5C');
    expect(encode('\t\n\u007f')).toBe('a=%09%0A%7F');
    expect(encode('✓')).toBe('a=%E2%9C%93');
    expect(encode('😀')).toBe('a=%F0%9F%98%80');
    expect(encode('x=y+z/~!')).toBe('a=x=y+z/~!');
  });

  it('writes lone surrogates as U+FFFD instead of throwing', () => {
    expect(formatBaggage(new Map([['a', { value: 'x\uD800y\uDC00' }]]))).toBe(
      'a=x%EF%BF%BDy%EF%BF%BD',
    );
  });

  it('appends metadata verbatim, adding the leading ; when missing', () => {
    const map = new Map<string, BaggageEntry>([
      ['a', { value: '1', metadata: ';p=1;q' }],
      ['b', { value: '2', metadata: 'p=1' }],
      ['c', { value: '3', metadata: '' }],
      ['d', { value: '4', metadata: ' ; p ' }],
    ]);
    expect(formatBaggage(map)).toBe('a=1;p=1;q,b=2;p=1,c=3,d=4; p');
  });

  it('leaves out members with an invalid key or metadata', () => {
    const map = new Map<string, BaggageEntry>([
      ['a b', { value: '1' }],
      ['', { value: '1' }],
      ['ok', { value: '1' }],
      ['bad1', { value: '1', metadata: ';p,q' }],
      ['bad2', { value: '1', metadata: ';p=a b' }],
      ['bad3', { value: '1', metadata: ';\r\nx' }],
      ['bad4', { value: 1 as unknown as string }],
    ]);
    expect(formatBaggage(map)).toBe('ok=1');
  });

  it('keeps at most 64 members', () => {
    const map = new Map<string, BaggageEntry>(
      Array.from({ length: 70 }, (_, i) => [`k${i}`, { value: 'v' }]),
    );
    expect(formatBaggage(map).split(',')).toHaveLength(64);
  });

  it('drops whole members that would pass 8192 bytes', () => {
    const map = new Map<string, BaggageEntry>([
      ['a', { value: '0123456789'.repeat(819) }],
      ['b', { value: 'x' }],
    ]);
    expect(formatBaggage(map)).toBe(`a=${'0123456789'.repeat(819)}`);
    // Encoding grows a value threefold: 2731 spaces are 8195 bytes with their key.
    const grown = new Map<string, BaggageEntry>([
      ['a', { value: ' '.repeat(2700) }],
      ['b', { value: ' '.repeat(2731) }],
      ['c', { value: 'small' }],
    ]);
    expect(formatBaggage(grown)).toBe(`a=${'%20'.repeat(2700)},c=small`);
  });
});

/** Lone surrogates replaced by U+FFFD, as `String#toWellFormed` (not in the ES2023 lib). */
function wellFormed(s: string): string {
  return s.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const keyArb = fc.string({
  unit: fc.constantFrom(..."!#$%&'*+-.^_`|~09azAZ"),
  minLength: 1,
  maxLength: 12,
});
const octetArb = fc.string({
  unit: fc.constantFrom(...'!#+-:<[]~=/?azAZ09'),
  maxLength: 8,
});
const propertyArb = fc
  .tuple(keyArb, fc.option(octetArb), fc.constantFrom('', ' ', '\t'))
  .map(([k, v, ows]) => (v === null ? k : `${k}${ows}=${ows}${v}`));
const metadataArb = fc.option(
  fc.array(propertyArb, { minLength: 1, maxLength: 3 }).map((ps) => `;${ps.join(';')}`),
  { nil: undefined },
);
const valueArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  octetArb,
);
const mapArb = fc
  .uniqueArray(fc.tuple(keyArb, valueArb, metadataArb), { maxLength: 10, selector: ([k]) => k })
  .map(
    (list) =>
      new Map<string, BaggageEntry>(
        list.map(([k, value, metadata]) => [
          k,
          metadata === undefined ? { value } : { value, metadata },
        ]),
      ),
  );

const validHeader = fc
  .tuple(mapArb, fc.constantFrom(',', ', ', ' , ', ',,'))
  .map(([map, sep]) => formatBaggage(map).split(',').join(sep));

const MEMBER_RE =
  /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*([!#-+\--:<-[\]-~]*)[ \t]*((?:;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]*(?:=[ \t]*[!#-+\--:<-[\]-~]*[ \t]*)?)*)$/;

/** The spec's rules with split and regexes, independently of the parser (for short headers). */
function oracle(header: string): Map<string, BaggageEntry> {
  const out = new Map<string, BaggageEntry>();
  let bytes = 0;
  for (const raw of header.split(',')) {
    const member = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    const m = MEMBER_RE.exec(member);
    if (member === '' || !m || out.size === 64) continue;
    const [, key, encoded, metadata] = m as unknown as [string, string, string, string];
    if (/%(?![0-9a-fA-F]{2})/.test(encoded)) continue;
    const size = member.length + (out.size === 0 ? 0 : 1);
    if (bytes + size > 8192 || out.has(key)) continue;
    const octets = Uint8Array.from(encoded.match(/%[0-9a-fA-F]{2}|[\s\S]/g) ?? [], (t) =>
      t.length === 3 ? Number.parseInt(t.slice(1), 16) : t.charCodeAt(0),
    );
    const value = new TextDecoder('utf-8', { ignoreBOM: true }).decode(octets);
    bytes += size;
    out.set(key, metadata === '' ? { value } : { value, metadata });
  }
  return out;
}

function assertWellFormed(map: Map<string, BaggageEntry>): void {
  expect(map.size).toBeLessThanOrEqual(64);
  for (const [key, entry] of map) {
    expect(key).toMatch(TOKEN_RE);
    expect(typeof entry.value).toBe('string');
    if (entry.metadata !== undefined) expect(entry.metadata).toMatch(/^;[\x20-\x7e\t]*$/);
  }
  // Whatever was accepted re-formats to a header that parses back to the same entries.
  const header = formatBaggage(map);
  expect(header.length).toBeLessThanOrEqual(8192);
  const back = parseBaggage(header);
  expect(back.size).toBe(header === '' ? 0 : header.split(',').length);
  for (const [key, entry] of back) expect(entry).toEqual(map.get(key));
}

describe('baggage properties', () => {
  it('round-trips format -> parse for any entries within the limits', () => {
    fc.assert(
      fc.property(mapArb, (map) => {
        // Values come back well-formed; trailing OWS after properties is trimmed ("property").
        const expected = new Map(
          [...map].map(([k, e]) => {
            const value = wellFormed(e.value);
            if (e.metadata === undefined) return [k, { value }];
            return [k, { value, metadata: e.metadata.replace(/[ \t]+$/, '') }];
          }),
        );
        expect(asObject(parseBaggage(formatBaggage(map)))).toEqual(asObject(expected));
      }),
    );
  });

  it('never throws and only yields valid entries on arbitrary input', () => {
    fc.assert(
      fc.property(anyHeaderInput, (input) => {
        assertWellFormed(parseBaggage(input));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with a split-and-regex oracle of the spec on mutated valid headers', () => {
    fc.assert(
      fc.property(mutated(validHeader), (header) => {
        const map = parseBaggage(header);
        expect(asObject(map)).toEqual(asObject(oracle(header)));
        expect([...map.keys()]).toEqual([...oracle(header).keys()]);
        assertWellFormed(map);
      }),
      { numRuns: 3000 },
    );
  });

  it('isBaggageKey is exactly the token rule', () => {
    fc.assert(
      fc.property(fc.oneof(keyArb, fc.string({ maxLength: 6 })), (s) => {
        expect(isBaggageKey(s)).toBe(TOKEN_RE.test(s));
      }),
    );
  });
});
