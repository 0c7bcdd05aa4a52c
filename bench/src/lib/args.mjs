/**
 * A small `--flag value` / `--flag=value` / `--switch` parser: the bench has no
 * runtime dependencies beyond what it measures.
 *
 * @example parseArgs(['--rounds', '3', '--no-pin'], { rounds: 3, pin: true }) // { rounds: 3, pin: false }
 */
export function parseArgs(argv, defaults, help) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(help);
      process.exit(0);
    }
    if (!arg.startsWith('--')) fail(`unexpected argument ${JSON.stringify(arg)}`, help);
    let name = arg.slice(2);
    let value;
    const eq = name.indexOf('=');
    if (eq !== -1) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const key = camel(name.startsWith('no-') ? name.slice(3) : name);
    if (!(key in defaults)) fail(`unknown option --${name}`, help);
    const kind = typeof defaults[key];
    if (name.startsWith('no-')) {
      if (kind !== 'boolean') fail(`--${name} is not a switch`, help);
      out[key] = false;
      continue;
    }
    if (kind === 'boolean' && value === undefined) {
      out[key] = true;
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) fail(`--${name} needs a value`, help);
    }
    if (kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a non-negative number`, help);
      out[key] = n;
    } else if (kind === 'boolean') {
      out[key] = value !== 'false' && value !== '0';
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Splits a comma list and checks every entry is one of `allowed`. */
export function listOption(value, allowed, name) {
  const items = String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (allowed && !allowed.includes(item)) {
      fail(`--${name}: unknown ${JSON.stringify(item)}; choose from ${allowed.join(', ')}`);
    }
  }
  if (items.length === 0) fail(`--${name} needs at least one entry`);
  return items;
}

function camel(name) {
  return name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

function fail(message, help) {
  console.error(`bench: ${message}`);
  if (help) console.error(`\n${help}`);
  process.exit(2);
}
