import fc from 'fast-check';

/** Characters that matter to the header grammars, weighted toward the tricky ones. */
const INTERESTING = [
  ...'0123456789abcdefABCDEFgz',
  '-',
  ' ',
  '\t',
  ',',
  ';',
  '=',
  '%',
  '@',
  '/',
  '*',
  '_',
  '"',
  '\\',
  '\n',
  '\r',
  '\u0000',
  '\u007f',
  'é',
  '\u{1F600}',
  '\uD800',
];

export const interestingChar = fc.oneof(
  fc.constantFrom(...INTERESTING),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

/** Any string, including lone surrogates (fast-check 4 has no `fullUnicodeString`). */
export const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  fc.string({ unit: interestingChar, maxLength: 80 }),
);

/** A header value as a framework hands it over: a string, an array of them, or nothing. */
export const anyHeaderInput = fc.oneof(
  anyString,
  fc.array(anyString, { maxLength: 4 }),
  fc.constant(undefined),
  fc.constant(null),
);

type Mutation =
  | { kind: 'replace'; at: number; char: string }
  | { kind: 'insert'; at: number; char: string }
  | { kind: 'delete'; at: number }
  | { kind: 'upper'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: interestingChar }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: interestingChar }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('upper' as const), at: fc.nat() }),
);

function applyMutation(s: string, m: Mutation): string {
  const at = s.length === 0 ? 0 : m.at % (s.length + (m.kind === 'insert' ? 1 : 0));
  switch (m.kind) {
    case 'replace':
      return s.slice(0, at) + m.char + s.slice(at + 1);
    case 'insert':
      return s.slice(0, at) + m.char + s.slice(at);
    case 'delete':
      return s.slice(0, at) + s.slice(at + 1);
    case 'upper':
      return s.slice(0, at) + s.charAt(at).toUpperCase() + s.slice(at + 1);
  }
}

/** A valid header with zero to four random edits applied. */
export function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(valid, fc.array(mutation, { maxLength: 4 }))
    .map(([s, ms]) => ms.reduce(applyMutation, s));
}

/** Exactly `length` lowercase hex digits, not all zeros. */
export function hexId(length: number): fc.Arbitrary<string> {
  return fc
    .string({
      unit: fc.constantFrom(...'0123456789abcdef'),
      minLength: length,
      maxLength: length,
    })
    .filter((s) => /[^0]/.test(s));
}

export const TRACE_ID_RE = /^[0-9a-f]{32}$/;
export const SPAN_ID_RE = /^[0-9a-f]{16}$/;
