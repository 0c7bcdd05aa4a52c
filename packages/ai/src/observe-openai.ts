import type { ObserveOptions } from './internal/llm-call';
import { observeClient } from './internal/observe-client';
import { OPENAI_HELPER_RESOURCES, OPENAI_ROUTES } from './internal/openai-mapping';

/** Options of `observeOpenAI`. */
export type ObserveOpenAIOptions = ObserveOptions;

/**
 * Traces an `openai` client (v4 and newer): `chat.completions.create`,
 * `responses.create` and `embeddings.create` become `llm` (or `embedding`) spans
 * with model, input, output, finish reason, token usage, cost and errors, streams
 * included. Returns a Proxy of the same client with the same types: every call
 * returns exactly what it would unobserved (`.withResponse()`, `.asResponse()`,
 * streams, abort signals), and nothing is patched.
 *
 * @example
 * const openai = observeOpenAI(new OpenAI());
 * const reply = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
 */
export function observeOpenAI<T extends object>(client: T, options: ObserveOpenAIOptions = {}): T {
  return observeClient(client, OPENAI_ROUTES, options, OPENAI_HELPER_RESOURCES);
}
