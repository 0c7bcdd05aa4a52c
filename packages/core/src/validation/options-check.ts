/**
 * Option validation for every public options object, checked once where it is
 * written (`createTracer()`, `tracing()`, `httpExporter()`, ...): an unknown
 * key or a wrong type throws a TypeError naming the closest valid option, so a
 * typo fails at start instead of being ignored. Each options object is a table
 * of rules, one line per option; adding an option is adding a line.
 */

/** How one option's value is checked, and how the expected value is described. */
export interface OptionRule {
  /** What a valid value is, for the message: `a boolean`, `an array of strings`. */
  readonly expected: string;
  readonly test: (value: unknown) => boolean;
  /** For nested options objects: their own table, checked in turn. */
  readonly table?: OptionTable;
  /** For a choice of rules: the one a value matched, whose table (if any) is checked in turn. */
  readonly pick?: (value: unknown) => OptionRule | undefined;
}

/** The options an object accepts: name -> rule. */
export type OptionTable = Readonly<Record<string, OptionRule>>;

/**
 * Names other tracing libraries use for what tracewire calls something else
 * (the seed APIs, OpenTelemetry, Langfuse): a user migrating tries them first.
 */
export const MIGRATION_NAMES: Readonly<Record<string, readonly string[]>> = {
  metadata: ['attributes'],
  attrs: ['attributes'],
  isAI: ['kind'],
  tokens: ['usage'],
  parentSpanId: ['parent', 'parentId'],
  exporters: ['exporter'],
};

/** How a migrated name is written in tracewire, where the option alone says too little. */
const MIGRATED_AS: Readonly<Record<string, string>> = { isAI: "kind: 'llm'" };

function rule(expected: string, test: (value: unknown) => boolean): OptionRule {
  return { expected, test };
}

/** The building blocks of option tables. */
export const is = {
  string: rule('a string', (v) => typeof v === 'string'),
  nonEmptyString: rule('a non-empty string', (v) => typeof v === 'string' && v !== ''),
  boolean: rule('true or false', (v) => typeof v === 'boolean'),
  number: rule('a number', (v) => typeof v === 'number' && !Number.isNaN(v)),
  nonNegative: rule('a number >= 0', (v) => typeof v === 'number' && v >= 0),
  function: rule('a function', (v) => typeof v === 'function'),
  stringArray: rule(
    'an array of strings',
    (v) => Array.isArray(v) && v.every((e) => typeof e === 'string'),
  ),
  /** Anything: checked by the code that uses it (it has its own, more precise message). */
  any: rule('any value', () => true),
  url: rule('a URL string or URL', (v) => typeof v === 'string' || v instanceof URL),
  /** One of several rules. */
  oneOf(...rules: OptionRule[]): OptionRule {
    return {
      expected: rules.map((r) => r.expected).join(' or '),
      test: (v) => rules.some((r) => r.test(v)),
      pick: (v) => rules.find((r) => r.test(v)),
    };
  },
  /** One of these literal values. */
  literal(...values: unknown[]): OptionRule {
    return rule(values.map((v) => JSON.stringify(v)).join(' or '), (v) => values.includes(v));
  },
  /** A nested options object with its own table. */
  object(table: OptionTable, expected = 'an options object'): OptionRule {
    return { expected, test: isPlainObject, table };
  },
  /** An object with these methods (an exporter, a tracer). */
  withMethods(expected: string, ...methods: string[]): OptionRule {
    return rule(
      expected,
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
    );
  },
} as const;

/**
 * Throws a TypeError when `options` has a key `table` does not know or a value
 * of the wrong type. `where` names the call for the message (`tracing()`).
 * `undefined` values are allowed for every option (they mean the default).
 *
 * @example checkOptions('tracing()', options, HTTP_TRACING_OPTIONS);
 */
export function checkOptions(where: string, options: unknown, table: OptionTable): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) {
    throw new TypeError(`tracewire: ${where} takes an options object, got ${describe(options)}.`);
  }
  check(where, '', options as Record<string, unknown>, table);
}

function check(
  where: string,
  prefix: string,
  options: Record<string, unknown>,
  table: OptionTable,
): void {
  for (const key of Object.keys(options)) {
    const name = prefix + key;
    const found = Object.hasOwn(table, key) ? table[key] : undefined;
    if (found === undefined) {
      throw new TypeError(
        `tracewire: ${where} has no option "${name}"; ${suggest(key, prefix, table)}`,
      );
    }
    const value = options[key];
    if (value === undefined) continue;
    if (!found.test(value)) {
      throw new TypeError(
        `tracewire: ${where} option "${name}" must be ${found.expected}, got ${describe(value)}.`,
      );
    }
    const nested = (found.pick?.(value) ?? found).table;
    if (nested !== undefined) check(where, `${name}.`, value as Record<string, unknown>, nested);
  }
}

function suggest(key: string, prefix: string, table: OptionTable): string {
  const migrated = MIGRATION_NAMES[key]?.find((name) => Object.hasOwn(table, name));
  if (migrated !== undefined) {
    return `tracewire calls it "${prefix}${MIGRATED_AS[key] ?? migrated}".`;
  }
  const closest = closestName(key, Object.keys(table));
  const valid = Object.keys(table)
    .map((k) => prefix + k)
    .join(', ');
  return closest !== undefined
    ? `did you mean "${prefix}${closest}"? (valid: ${valid})`
    : `valid options: ${valid}.`;
}

/** The known name nearest to `key` by edit distance (case-insensitive), if any is near enough. */
export function closestName(key: string, names: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of names) {
    const candidate = name.toLowerCase();
    let distance = editDistance(lower, candidate);
    // A prefix or a plural is a near miss whatever its length (`exporters`, `ignor`).
    if (candidate.startsWith(lower) || lower.startsWith(candidate))
      distance = Math.min(distance, 1);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = name;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3))
    ? best
    : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = row;
  }
  return previous[b.length]!;
}

function isPlainObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'object')
    return `an object (${(value as object).constructor?.name ?? 'no prototype'})`;
  return `${typeof value} ${String(value)}`;
}

/**
 * The check for options passed per call (`startTrace`, `startSpan`, `span.end`,
 * `record`): only the names, against a set, so a call pays one lookup per key.
 * A name another library uses (`metadata`, `tokens`, ...) or a typo throws,
 * naming tracewire's option.
 */
export function checkCallOptions(where: string, options: object, known: ReadonlySet<string>): void {
  for (const key in options) {
    if (!known.has(key)) {
      const table = Object.fromEntries([...known].map((name) => [name, is.any]));
      throw new TypeError(`tracewire: ${where} has no option "${key}"; ${suggest(key, '', table)}`);
    }
  }
}
