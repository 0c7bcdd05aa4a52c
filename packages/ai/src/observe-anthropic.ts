import { ANTHROPIC_ROUTES } from './internal/anthropic-mapping';
import type { ObserveOptions } from './internal/llm-call';
import { observeClient } from './internal/observe-client';

/** Options of `observeAnthropic`. */
export type ObserveAnthropicOptions = ObserveOptions;

/**
 * Traces an `@anthropic-ai/sdk` client: `messages.create` (streamed or not)
 * becomes an `llm` span with model, input, output, stop reason, token usage (cache
 * reads and writes included), cost and errors. Returns a Proxy of the same client
 * with the same types; nothing is patched.
 *
 * @example
 * const anthropic = observeAnthropic(new Anthropic());
 * const message = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 512, messages });
 */
export function observeAnthropic<T extends object>(
  client: T,
  options: ObserveAnthropicOptions = {},
): T {
  return observeClient(client, ANTHROPIC_ROUTES, options);
}
