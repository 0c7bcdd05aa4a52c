// The overhead targets (DESIGN.md, "What must hold"), read off one framework's
// figures by `count` (instructions per request) and `pnpm bench` (CPU µs per
// request and throughput). `added(v)` is what variant v costs over bare in the
// run's unit; `ratio(v)` its throughput over bare's. Either returns undefined
// for a variant that was not measured, and a target that needs it is `n/a`.

/**
 * @param {{ added: (variant: string) => number | undefined, ratio: (variant: string) => number | undefined }} f
 * @returns {{ name: string, value: number | undefined, limit: number | undefined, met: boolean | undefined, text: string }[]}
 */
export function targetsFor({ added, ratio }) {
  const targets = [];
  const push = (name, value, limit, met, text) =>
    targets.push({
      name,
      value,
      limit,
      met: value === undefined || limit === undefined ? undefined : met,
      text,
    });

  const tw = added('tracewire');
  const als = added('als');
  const floor = added('floor');
  const sum = als !== undefined && floor !== undefined ? 1.25 * (als + floor) : undefined;
  push('tracewire <= 1.25 x (als + floor)', tw, sum, tw <= sum, `${num(tw)} vs ${num(sum)}`);

  const noctx = added('tracewire-nocontext');
  const floorLimit = floor !== undefined ? 1.25 * floor : undefined;
  push(
    'context:false <= 1.25 x floor',
    noctx,
    floorLimit,
    noctx <= floorLimit,
    `${num(noctx)} vs ${num(floorLimit)}`,
  );

  const sampled = ratio('tracewire-sampled');
  const alsRatio = ratio('als');
  const alsLimit = alsRatio !== undefined ? alsRatio - 0.03 : undefined;
  push(
    'sampled 0.1 x bare >= als - 0.03',
    sampled,
    alsLimit,
    sampled >= alsLimit,
    `${fix(sampled)} vs als ${fix(alsRatio)}`,
  );

  const sampledNoctx = ratio('tracewire-nocontext-sampled');
  push(
    'context:false sampled 0.1 x bare >= 0.95',
    sampledNoctx,
    0.95,
    sampledNoctx >= 0.95,
    fix(sampledNoctx),
  );

  const otel = added('otel');
  const third = otel !== undefined ? otel / 3 : undefined;
  push('tracewire <= otel / 3', tw, third, tw <= third, `${num(tw)} vs otel ${num(otel)}`);
  return targets;
}

/** One markdown row per framework: each target's figures and whether it is met. */
export function targetRows(byFramework) {
  const names = [];
  const rows = [];
  for (const [framework, targets] of byFramework) {
    if (names.length === 0) for (const t of targets) names.push(t.name);
    rows.push([
      framework,
      ...targets.flatMap((t) => [t.met === undefined ? 'n/a' : t.text, verdict(t.met)]),
    ]);
  }
  const header = ['framework', ...names.flatMap((name) => [name, 'met'])];
  return { header, rows };
}

function verdict(met) {
  if (met === undefined) return 'n/a';
  return met ? 'yes' : '**no**';
}

function num(x) {
  if (x === undefined) return 'n/a';
  if (Math.abs(x) < 1000) return x.toFixed(1);
  return Math.round(x).toLocaleString('en-US');
}

function fix(x) {
  return x === undefined ? 'n/a' : x.toFixed(2);
}
