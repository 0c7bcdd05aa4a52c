import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent } from '../../src/propagation/index';
import type { SpanContext } from '../../src/types';
import { anyHeaderInput, hexId, mutated, SPAN_ID_RE, TRACE_ID_RE } from './arbitraries';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const P = '00f067aa0ba902b7';

function ctx(sampled: boolean, random: boolean, traceId = T, spanId = P): SpanContext {
  return { traceId, spanId, sampled, random, isRemote: true };
}

/*
 * Conformance table, from W3C Trace Context Level 2, section "Traceparent
 * Header" and its subsections "version", "version-format", "trace-id",
 * "parent-id", "trace-flags" and "Versioning of traceparent".
 */
const valid: Array<[string, string | string[], SpanContext]> = [
  // "Examples of HTTP traceparent Headers"
  ['spec example, sampled', `00-${T}-${P}-01`, ctx(true, false)],
  ['spec example, not sampled', `00-${T}-${P}-00`, ctx(false, false)],
  // "trace-flags": random-trace-id is the second least significant bit
  ['random flag only', `00-${T}-${P}-02`, ctx(false, true)],
  ['sampled and random', `00-${T}-${P}-03`, ctx(true, true)],
  // "trace-flags": a bit field must be masked, 09 is sampled plus an unknown bit
  ['unknown flag bits are masked off', `00-${T}-${P}-09`, ctx(true, false)],
  ['every flag bit set', `00-${T}-${P}-ff`, ctx(true, true)],
  ['lowercase hex flags', `00-${T}-${P}-0f`, ctx(true, true)],
  // OWS around the field value
  ['leading spaces', `   00-${T}-${P}-01`, ctx(true, false)],
  ['trailing spaces and tabs', `00-${T}-${P}-01 \t `, ctx(true, false)],
  ['tabs both sides', `\t00-${T}-${P}-01\t`, ctx(true, false)],
  ['one header given as a one-element array', [`00-${T}-${P}-01`], ctx(true, false)],
  // "Versioning of traceparent": higher versions are parsed by the 00 layout
  ['future version, no extra field', `cc-${T}-${P}-01`, ctx(true, false)],
  ['future version with an extra field', `01-${T}-${P}-01-extra`, ctx(true, false)],
  [
    'future version, extra fields and flags',
    `fe-${T}-${P}-03-what-the-future-will-be-like`,
    ctx(true, true),
  ],
  ['future version, trailing dash only', `01-${T}-${P}-00-`, ctx(false, false)],
  ['future version with OWS', ` 01-${T}-${P}-02-x\t`, ctx(false, true)],
  [
    'ids with leading zeros',
    `00-${'0'.repeat(31)}1-${'0'.repeat(15)}1-01`,
    ctx(true, false, `${'0'.repeat(31)}1`, `${'0'.repeat(15)}1`),
  ],
];

const invalid: Array<[string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['empty string', ''],
  ['only whitespace', ' \t '],
  ['empty array', []],
  // exactly one traceparent header
  ['two headers as an array', [`00-${T}-${P}-01`, `00-${T}-${P}-01`]],
  ['duplicates joined with a comma', `00-${T}-${P}-01, 00-${T}-${P}-01`],
  ['future-version duplicates joined', `01-${T}-${P}-01-a, 01-${T}-${P}-01`],
  ['future-version duplicates joined, no space', `01-${T}-${P}-01-a,01-${T}-${P}-01`],
  // "version"
  ['version ff', `ff-${T}-${P}-01`],
  ['version ff with extra field', `ff-${T}-${P}-01-extra`],
  ['uppercase version', `0A-${T}-${P}-01`],
  ['non-hex version', `0g-${T}-${P}-01`],
  ['one-char version', `0-${T}-${P}-01`],
  ['three-char version', `000-${T}-${P}-01`],
  // version 00 has nothing after trace-flags
  ['version 00 with an extra field', `00-${T}-${P}-01-extra`],
  ['version 00 with a trailing dash', `00-${T}-${P}-01-`],
  ['version 00 with trailing garbage', `00-${T}-${P}-01x`],
  // "Versioning of traceparent": flags must be followed by the end or a dash
  ['future version, extra without dash', `01-${T}-${P}-01extra`],
  ['future version shorter than 55', `01-${T}-${P}-1`],
  // "trace-id"
  ['all-zero trace id', `00-${'0'.repeat(32)}-${P}-01`],
  ['all-zero trace id, future version', `01-${'0'.repeat(32)}-${P}-01-x`],
  ['uppercase trace id', `00-${T.toUpperCase()}-${P}-01`],
  ['one uppercase trace id char', `00-4BF92f3577b34da6a3ce929d0e0e4736-${P}-01`],
  ['31-char trace id', `00-${T.slice(1)}-${P}-01`],
  ['33-char trace id', `00-${T}a-${P}-01`],
  ['non-hex trace id', `00-${T.slice(0, 31)}g-${P}-01`],
  // "parent-id"
  ['all-zero parent id', `00-${T}-${'0'.repeat(16)}-01`],
  ['uppercase parent id', `00-${T}-${P.toUpperCase()}-01`],
  ['15-char parent id', `00-${T}-${P.slice(1)}-01`],
  ['17-char parent id', `00-${T}-${P}0-01`],
  // "trace-flags"
  ['uppercase flags', `00-${T}-${P}-0F`],
  ['one-char flags', `00-${T}-${P}-1`],
  ['three-char flags', `00-${T}-${P}-001`],
  ['non-hex flags', `00-${T}-${P}-0x`],
  // delimiters and whitespace inside the value
  ['underscore delimiters', `00_${T}_${P}_01`],
  ['space inside', `00- ${T}-${P}-01`],
  ['newline around', `\n00-${T}-${P}-01`],
  ['non-breaking space around', `\u00a000-${T}-${P}-01`],
  ['fullwidth digits', `００-${T}-${P}-01`],
  // values a framework should never hand over, but might
  ['a number', 42],
  ['an object', { value: `00-${T}-${P}-01` }],
  ['an array holding a non-string', [42]],
];

describe('parseTraceparent conformance', () => {
  it.each(valid)('accepts %s', (_name, input, expected) => {
    expect(parseTraceparent(input)).toEqual(expected);
  });

  it.each(invalid)('rejects %s', (_name, input) => {
    expect(parseTraceparent(input as string)).toBeUndefined();
  });
});

describe('formatTraceparent', () => {
  it('always writes version 00 with the sampled and random flags', () => {
    expect(formatTraceparent({ traceId: T, spanId: P, sampled: false, random: false })).toBe(
      `00-${T}-${P}-00`,
    );
    expect(formatTraceparent({ traceId: T, spanId: P, sampled: true, random: false })).toBe(
      `00-${T}-${P}-01`,
    );
    expect(formatTraceparent({ traceId: T, spanId: P, sampled: false, random: true })).toBe(
      `00-${T}-${P}-02`,
    );
    expect(formatTraceparent({ traceId: T, spanId: P, sampled: true, random: true })).toBe(
      `00-${T}-${P}-03`,
    );
  });

  it('downgrades a parsed future version to 00 ("Versioning of traceparent")', () => {
    const parsed = parseTraceparent(`cc-${T}-${P}-03-more`)!;
    expect(formatTraceparent(parsed)).toBe(`00-${T}-${P}-03`);
  });
});

/** The spec's rules written as a regex, independently of the char-code parser. */
function oracle(input: unknown): SpanContext | undefined {
  let value = input;
  if (Array.isArray(value)) {
    if (value.length !== 1) return undefined;
    value = value[0];
  }
  if (typeof value !== 'string') return undefined;
  const m =
    /^[ \t]*([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\s\S]*?)?[ \t]*$/.exec(
      value,
    );
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as string[];
  if (version === 'ff') return undefined;
  if (version === '00' && rest !== undefined) return undefined;
  if (rest?.includes(',')) return undefined;
  if (/^0+$/.test(traceId!) || /^0+$/.test(spanId!)) return undefined;
  const bits = Number.parseInt(flags!, 16);
  return {
    traceId: traceId!,
    spanId: spanId!,
    sampled: (bits & 1) === 1,
    random: (bits & 2) === 2,
    isRemote: true,
  };
}

const validHeader = fc
  .tuple(
    fc.constantFrom('00', '00', '01', 'cc', 'fe'),
    hexId(32),
    hexId(16),
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom('', '', '-x', '-what-the-future-will-be-like'),
  )
  .map(
    ([v, t, p, f, rest]) =>
      `${v}-${t}-${p}-${f.toString(16).padStart(2, '0')}${v === '00' ? '' : rest}`,
  );

function assertWellFormed(result: SpanContext | undefined): void {
  if (result === undefined) return;
  expect(result.traceId).toMatch(TRACE_ID_RE);
  expect(result.spanId).toMatch(SPAN_ID_RE);
  expect(result.traceId).not.toMatch(/^0+$/);
  expect(result.spanId).not.toMatch(/^0+$/);
  expect(typeof result.sampled).toBe('boolean');
  expect(typeof result.random).toBe('boolean');
  expect(result.isRemote).toBe(true);
  // Whatever was accepted re-formats to a header that parses back to the same context.
  expect(parseTraceparent(formatTraceparent(result))).toEqual(result);
}

describe('parseTraceparent properties', () => {
  it('round-trips format -> parse for any valid ids and flags', () => {
    fc.assert(
      fc.property(
        hexId(32),
        hexId(16),
        fc.boolean(),
        fc.boolean(),
        (traceId, spanId, sampled, random) => {
          const header = formatTraceparent({ traceId, spanId, sampled, random });
          expect(header).toHaveLength(55);
          expect(parseTraceparent(header)).toEqual({
            traceId,
            spanId,
            sampled,
            random,
            isRemote: true,
          });
        },
      ),
    );
  });

  it('never throws and never yields an invalid id on arbitrary input', () => {
    fc.assert(
      fc.property(anyHeaderInput, (input) => {
        assertWellFormed(parseTraceparent(input));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with a regex oracle of the spec on mutated valid headers', () => {
    fc.assert(
      fc.property(mutated(validHeader), (header) => {
        const result = parseTraceparent(header);
        expect(result).toEqual(oracle(header));
        assertWellFormed(result);
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the oracle on arrays of mutated headers', () => {
    fc.assert(
      fc.property(fc.array(mutated(validHeader), { maxLength: 3 }), (headers) => {
        expect(parseTraceparent(headers)).toEqual(oracle(headers));
      }),
    );
  });
});
