import type { Attributes, Usage } from '@tracewire/core';
import type { CallResult, CallStart } from './llm-call';
import type { Instrumentation, StreamAccumulator } from './observe-client';

type Json = Record<string, any>;

const PROVIDER = 'anthropic';

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Anthropic's usage as tracewire `Usage`. Anthropic counts cache reads and writes
 * apart from `input_tokens`; tracewire's `inputTokens` includes them.
 */
export function anthropicUsage(usage: Json | null | undefined): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const uncached = count(usage.input_tokens);
  const read = count(usage.cache_read_input_tokens) ?? 0;
  const written = count(usage.cache_creation_input_tokens) ?? 0;
  const output = count(usage.output_tokens);
  const result: Usage = {};
  if (uncached !== undefined) result.inputTokens = uncached + read + written;
  if (output !== undefined) result.outputTokens = output;
  if (read > 0) result.cachedInputTokens = read;
  if (written > 0) result.cacheWriteTokens = written;
  return Object.keys(result).length > 0 ? result : undefined;
}

function requestAttributes(body: Json): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': PROVIDER,
  };
  if (typeof body.model === 'string') attributes['gen_ai.request.model'] = body.model;
  if (typeof body.max_tokens === 'number')
    attributes['gen_ai.request.max_tokens'] = body.max_tokens;
  if (typeof body.temperature === 'number') {
    attributes['gen_ai.request.temperature'] = body.temperature;
  }
  if (typeof body.top_p === 'number') attributes['gen_ai.request.top_p'] = body.top_p;
  if (typeof body.top_k === 'number') attributes['gen_ai.request.top_k'] = body.top_k;
  if (body.stream === true) attributes['gen_ai.request.stream'] = true;
  if (Array.isArray(body.tools)) attributes['gen_ai.request.tool_count'] = body.tools.length;
  return attributes;
}

function resultOf(message: Json | undefined, usage: Usage | undefined): CallResult {
  const attributes: Attributes = {};
  if (typeof message?.id === 'string') attributes['gen_ai.response.id'] = message.id;
  if (typeof message?.stop_reason === 'string') {
    attributes['gen_ai.response.finish_reasons'] = [message.stop_reason];
  }
  return {
    model: message?.model,
    output: message ? { role: message.role ?? 'assistant', content: message.content } : undefined,
    usage,
    attributes,
  };
}

const messages: Instrumentation = {
  start(body) {
    const model = typeof body.model === 'string' ? body.model : undefined;
    const input: Json = {};
    if (body.system !== undefined) input.system = body.system;
    input.messages = body.messages;
    if (Array.isArray(body.tools)) input.tools = body.tools;
    return {
      name: `chat ${model ?? ''}`.trim(),
      kind: 'llm',
      provider: PROVIDER,
      model,
      input: Object.keys(input).length === 1 ? body.messages : input,
      attributes: requestAttributes(body),
    } satisfies CallStart;
  },
  result(response) {
    const message = response as Json;
    return resultOf(message, anthropicUsage(message?.usage));
  },
  stream: () => messageStream(),
};

/**
 * Streamed messages: `message_start` carries the id, model and input usage;
 * content blocks grow by text, thinking and tool-input JSON deltas; `message_delta`
 * carries the stop reason and the output usage.
 */
function messageStream(): StreamAccumulator {
  let message: Json | undefined;
  let usage: Json = {};
  const blocks: Json[] = [];
  const partialJson = new Map<number, string>();
  return {
    add(event) {
      const e = event as Json;
      if (!e || typeof e.type !== 'string') return false;
      switch (e.type) {
        case 'message_start':
          message = { ...e.message };
          usage = { ...e.message?.usage };
          return false;
        case 'content_block_start':
          if (typeof e.index === 'number') blocks[e.index] = { ...e.content_block };
          return false;
        case 'content_block_delta': {
          const block = blocks[e.index];
          const delta = e.delta as Json | undefined;
          if (!block || !delta) return false;
          if (delta.type === 'text_delta') block.text = (block.text ?? '') + delta.text;
          else if (delta.type === 'thinking_delta') {
            block.thinking = (block.thinking ?? '') + delta.thinking;
          } else if (delta.type === 'input_json_delta') {
            partialJson.set(e.index, (partialJson.get(e.index) ?? '') + delta.partial_json);
          }
          return true;
        }
        case 'content_block_stop': {
          const json = partialJson.get(e.index);
          const block = blocks[e.index];
          if (block && json !== undefined) {
            try {
              block.input = JSON.parse(json);
            } catch {
              block.input = json;
            }
            partialJson.delete(e.index);
          }
          return false;
        }
        case 'message_delta':
          if (message && e.delta?.stop_reason) message.stop_reason = e.delta.stop_reason;
          if (e.usage) usage = { ...usage, ...dropNulls(e.usage) };
          return false;
        default:
          return false;
      }
    },
    result() {
      for (const [index, json] of partialJson) {
        if (blocks[index]) blocks[index].input = json;
      }
      const assembled = message ? { ...message, content: blocks.filter(Boolean) } : undefined;
      return resultOf(assembled, anthropicUsage(usage));
    },
  };
}

function dropNulls(value: Json): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) if (v !== null && v !== undefined) out[key] = v;
  return out;
}

/** The Anthropic SDK methods `observeAnthropic` traces. */
export const ANTHROPIC_ROUTES = {
  'messages.create': messages,
  'beta.messages.create': messages,
} as const;
