export type { ObserveOptions } from './internal/llm-call';
export { type ObserveAnthropicOptions, observeAnthropic } from './observe-anthropic';
export { type ObserveOpenAIOptions, observeOpenAI } from './observe-openai';
