import type { Usage } from '../types';
import { DEFAULT_PRICES, type ModelPrice, type PriceTable } from './prices';

// A date or version stamp on a model name: OpenAI `-2024-07-18`, Anthropic
// `-20241022` / Vertex `@20241022`, Gemini `-002` and `-preview-05-20`, `-latest`.
const SNAPSHOT_SUFFIX =
  /(?:-\d{4}-\d{2}-\d{2}|[-@]\d{8}|-\d{3,4}|-preview(?:-\d{2}-\d{2})?|-exp(?:-\d{4})?|-latest|-v\d+(?::\d+)?)$/;
const MAX_MODEL_NAME = 200;
// Routing prefixes: `openai/gpt-4o`, Gemini's `models/gemini-2.5-pro`, Bedrock's `anthropic.claude-...`.
const PROVIDER_PREFIX = /^(?:[a-z0-9-]+\/|(?:us|eu|apac)\.anthropic\.|anthropic\.)/;

/**
 * The family a model name belongs to: lowercased, without a provider prefix or a
 * dated snapshot suffix (`gpt-4o-mini-2024-07-18` -> `gpt-4o-mini`,
 * `claude-3-5-sonnet-20241022` -> `claude-3-5-sonnet`).
 */
export function normalizeModelName(model: string): string {
  let name = model.trim().toLowerCase();
  // No model is named like this; each stripping pass costs the name's length.
  if (name.length > MAX_MODEL_NAME) return name;
  let previous: string;
  do {
    previous = name;
    name = name.replace(PROVIDER_PREFIX, '');
  } while (name !== previous);
  do {
    previous = name;
    name = name.replace(SNAPSHOT_SUFFIX, '');
  } while (name !== previous && name !== '');
  return name || model.trim().toLowerCase();
}

/**
 * Merges price overrides over the built-in table; override keys are model
 * names, normalised like the models they price.
 */
export function resolvePrices(overrides?: Record<string, ModelPrice>): PriceTable {
  if (overrides === undefined) return DEFAULT_PRICES;
  const table: Record<string, ModelPrice> = { ...DEFAULT_PRICES };
  for (const [model, price] of Object.entries(overrides)) {
    if (!isPrice(price)) {
      throw new TypeError(
        `tracewire: prices['${model}'] must be { input, output } in US dollars per million tokens, e.g. { input: 0.15, output: 0.6 }.`,
      );
    }
    table[model.trim().toLowerCase()] = price;
    table[normalizeModelName(model)] = price;
  }
  return table;
}

/** The price of `model`: an exact entry first, then its family's. */
export function priceOf(
  model: string,
  prices: PriceTable = DEFAULT_PRICES,
): ModelPrice | undefined {
  const exact = prices[model.trim().toLowerCase()];
  if (exact !== undefined) return exact;
  return prices[normalizeModelName(model)];
}

/**
 * The cost in US dollars of a call to `model` with `usage`, or `undefined` when
 * the model has no price or the usage has no token counts.
 *
 * @example
 * computeCost('gpt-4o-mini-2024-07-18', { inputTokens: 1000, outputTokens: 200 }); // 0.00027
 */
export function computeCost(
  model: string,
  usage: Usage,
  prices: PriceTable = DEFAULT_PRICES,
): number | undefined {
  if (typeof model !== 'string' || model === '' || usage === null || typeof usage !== 'object') {
    return undefined;
  }
  const input = count(usage.inputTokens);
  const output = count(usage.outputTokens);
  if (input === undefined && output === undefined) return undefined;
  const price = priceOf(model, prices);
  if (price === undefined) return undefined;
  const cached = Math.min(count(usage.cachedInputTokens) ?? 0, input ?? 0);
  const written = Math.min(count(usage.cacheWriteTokens) ?? 0, (input ?? 0) - cached);
  const uncached = (input ?? 0) - cached - written;
  const dollars =
    uncached * price.input +
    cached * (price.cachedInput ?? price.input) +
    written * (price.cacheWrite ?? price.input) +
    (output ?? 0) * price.output;
  // Rounded to a billionth of a dollar, so sums of float products read cleanly.
  return Math.round(dollars * 1000) / 1e9;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function isPrice(value: unknown): value is ModelPrice {
  if (value === null || typeof value !== 'object') return false;
  const price = value as Record<string, unknown>;
  const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  return (
    ok(price.input) &&
    ok(price.output) &&
    (price.cachedInput === undefined || ok(price.cachedInput)) &&
    (price.cacheWrite === undefined || ok(price.cacheWrite))
  );
}
