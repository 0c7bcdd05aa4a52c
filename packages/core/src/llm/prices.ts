/**
 * List prices of widely used models, in US dollars per million tokens, as
 * published on the providers' pricing pages on the `checked` date. Standard
 * (not batch, not priority) tier; for models priced by prompt length, the
 * shorter-prompt price. A tracer's `prices` option overrides or extends this.
 */

/** What a model costs, in US dollars per million tokens. */
export interface ModelPrice {
  /** Uncached input tokens. */
  input: number;
  /** Output tokens (reasoning tokens included). */
  output: number;
  /** Input tokens read from a prompt cache; defaults to `input`. */
  cachedInput?: number;
  /** Input tokens written to a prompt cache (Anthropic); defaults to `input`. */
  cacheWrite?: number;
  /** The day this price was read from the provider (YYYY-MM-DD). */
  checked?: string;
}

/** Model family name (see `normalizeModelName`) to price. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

const OPENAI = '2025-11-20';
const ANTHROPIC = '2025-11-20';
const GOOGLE = '2025-11-20';

const p = (
  input: number,
  output: number,
  cachedInput: number | undefined,
  checked: string,
  cacheWrite?: number,
): ModelPrice => {
  const price: ModelPrice = { input, output, checked };
  if (cachedInput !== undefined) price.cachedInput = cachedInput;
  if (cacheWrite !== undefined) price.cacheWrite = cacheWrite;
  return Object.freeze(price);
};

/** The built-in price table. */
export const DEFAULT_PRICES: PriceTable = Object.freeze({
  // OpenAI
  'gpt-5': p(1.25, 10, 0.125, OPENAI),
  'gpt-5-mini': p(0.25, 2, 0.025, OPENAI),
  'gpt-5-nano': p(0.05, 0.4, 0.005, OPENAI),
  'gpt-5-chat': p(1.25, 10, 0.125, OPENAI),
  'gpt-4.1': p(2, 8, 0.5, OPENAI),
  'gpt-4.1-mini': p(0.4, 1.6, 0.1, OPENAI),
  'gpt-4.1-nano': p(0.1, 0.4, 0.025, OPENAI),
  'gpt-4o': p(2.5, 10, 1.25, OPENAI),
  'gpt-4o-mini': p(0.15, 0.6, 0.075, OPENAI),
  'chatgpt-4o': p(5, 15, undefined, OPENAI),
  'gpt-4-turbo': p(10, 30, undefined, OPENAI),
  'gpt-4': p(30, 60, undefined, OPENAI),
  'gpt-3.5-turbo': p(0.5, 1.5, undefined, OPENAI),
  o1: p(15, 60, 7.5, OPENAI),
  'o1-mini': p(1.1, 4.4, 0.55, OPENAI),
  'o1-pro': p(150, 600, undefined, OPENAI),
  o3: p(2, 8, 0.5, OPENAI),
  'o3-mini': p(1.1, 4.4, 0.55, OPENAI),
  'o3-pro': p(20, 80, undefined, OPENAI),
  'o4-mini': p(1.1, 4.4, 0.275, OPENAI),
  'text-embedding-3-small': p(0.02, 0, undefined, OPENAI),
  'text-embedding-3-large': p(0.13, 0, undefined, OPENAI),
  'text-embedding-ada-002': p(0.1, 0, undefined, OPENAI),
  // Anthropic: cache reads at 0.1x input, five-minute cache writes at 1.25x.
  'claude-opus-4-5': p(5, 25, 0.5, ANTHROPIC, 6.25),
  'claude-opus-4-1': p(15, 75, 1.5, ANTHROPIC, 18.75),
  'claude-opus-4': p(15, 75, 1.5, ANTHROPIC, 18.75),
  'claude-sonnet-4-5': p(3, 15, 0.3, ANTHROPIC, 3.75),
  'claude-sonnet-4': p(3, 15, 0.3, ANTHROPIC, 3.75),
  'claude-3-7-sonnet': p(3, 15, 0.3, ANTHROPIC, 3.75),
  'claude-3-5-sonnet': p(3, 15, 0.3, ANTHROPIC, 3.75),
  'claude-haiku-4-5': p(1, 5, 0.1, ANTHROPIC, 1.25),
  'claude-3-5-haiku': p(0.8, 4, 0.08, ANTHROPIC, 1),
  'claude-3-haiku': p(0.25, 1.25, 0.03, ANTHROPIC, 0.3),
  'claude-3-opus': p(15, 75, 1.5, ANTHROPIC, 18.75),
  // Google Gemini (prompts up to 200k tokens for the Pro models).
  'gemini-2.5-pro': p(1.25, 10, 0.125, GOOGLE),
  'gemini-2.5-flash': p(0.3, 2.5, 0.03, GOOGLE),
  'gemini-2.5-flash-lite': p(0.1, 0.4, 0.01, GOOGLE),
  'gemini-2.0-flash': p(0.1, 0.4, 0.025, GOOGLE),
  'gemini-2.0-flash-lite': p(0.075, 0.3, undefined, GOOGLE),
  'gemini-1.5-pro': p(1.25, 5, undefined, GOOGLE),
  'gemini-1.5-flash': p(0.075, 0.3, undefined, GOOGLE),
  'text-embedding-004': p(0, 0, undefined, GOOGLE),
});
