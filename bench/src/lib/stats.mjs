/** The median of finite numbers (mean of the middle two for an even count), or NaN. */
export function median(values) {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

export function max(values) {
  const xs = values.filter((v) => Number.isFinite(v));
  return xs.length === 0 ? Number.NaN : Math.max(...xs);
}

/** Formats a number for a table: `digits` decimals, or `n/a`. */
export function fmt(value, digits = 0) {
  if (value === undefined || value === null || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A markdown table from a header row and rows of cells. */
export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
