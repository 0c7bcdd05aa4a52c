import type { Attributes, Usage } from '@tracewire/core';
import type { CallResult, CallStart } from './llm-call';
import type { Instrumentation, StreamAccumulator } from './observe-client';

type Body = Record<string, unknown>;
type Json = Record<string, any>;

const PROVIDER = 'openai';

/** Request parameters recorded as `gen_ai.request.*` attributes. */
const REQUEST_PARAMS: ReadonlyArray<[string, string]> = [
  ['temperature', 'gen_ai.request.temperature'],
  ['top_p', 'gen_ai.request.top_p'],
  ['max_tokens', 'gen_ai.request.max_tokens'],
  ['max_completion_tokens', 'gen_ai.request.max_tokens'],
  ['max_output_tokens', 'gen_ai.request.max_tokens'],
  ['frequency_penalty', 'gen_ai.request.frequency_penalty'],
  ['presence_penalty', 'gen_ai.request.presence_penalty'],
  ['seed', 'gen_ai.request.seed'],
  ['n', 'gen_ai.request.choice.count'],
];

function requestAttributes(body: Body, operation: string): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': PROVIDER,
  };
  if (typeof body.model === 'string') attributes['gen_ai.request.model'] = body.model;
  for (const [param, key] of REQUEST_PARAMS) {
    const value = body[param];
    if (typeof value === 'number') attributes[key] = value;
  }
  if (body.stream === true) attributes['gen_ai.request.stream'] = true;
  if (typeof body.reasoning_effort === 'string') {
    attributes['openai.request.reasoning_effort'] = body.reasoning_effort;
  }
  // The format's kind, not the (possibly huge, possibly zod-made) schema object.
  const format = (body.response_format ?? (body.text as Json | undefined)?.format) as
    | Json
    | undefined;
  if (format && typeof format === 'object' && typeof format.type === 'string') {
    attributes['gen_ai.output.type'] = format.type === 'text' ? 'text' : 'json';
    attributes['openai.request.response_format'] = format.type;
  }
  if (Array.isArray(body.tools)) attributes['gen_ai.request.tool_count'] = body.tools.length;
  return attributes;
}

function modelOf(body: Body): string | undefined {
  return typeof body.model === 'string' ? body.model : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** OpenAI's usage block (chat `prompt_tokens`, Responses `input_tokens`) as tracewire `Usage`. */
export function openaiUsage(usage: Json | null | undefined): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const result: Usage = {};
  const input = count(usage.prompt_tokens ?? usage.input_tokens);
  const output = count(usage.completion_tokens ?? usage.output_tokens);
  const total = count(usage.total_tokens);
  const cached = count((usage.prompt_tokens_details ?? usage.input_tokens_details)?.cached_tokens);
  const reasoning = count(
    (usage.completion_tokens_details ?? usage.output_tokens_details)?.reasoning_tokens,
  );
  if (input !== undefined) result.inputTokens = input;
  if (output !== undefined) result.outputTokens = output;
  if (total !== undefined) result.totalTokens = total;
  if (cached) result.cachedInputTokens = cached;
  if (reasoning) result.reasoningTokens = reasoning;
  return Object.keys(result).length > 0 ? result : undefined;
}

function responseAttributes(id: unknown, finishReasons: string[]): Attributes {
  const attributes: Attributes = {};
  if (typeof id === 'string') attributes['gen_ai.response.id'] = id;
  if (finishReasons.length > 0) attributes['gen_ai.response.finish_reasons'] = finishReasons;
  return attributes;
}

// --- chat.completions.create ----------------------------------------------

const chatCompletions: Instrumentation = {
  start(body) {
    const model = modelOf(body);
    const input = Array.isArray(body.tools)
      ? { messages: body.messages, tools: body.tools }
      : body.messages;
    return {
      name: `chat ${model ?? ''}`.trim(),
      kind: 'llm',
      provider: PROVIDER,
      model,
      input,
      attributes: requestAttributes(body, 'chat'),
    } satisfies CallStart;
  },
  result(response) {
    const completion = response as Json;
    const choices: Json[] = Array.isArray(completion?.choices) ? completion.choices : [];
    const messages = choices.map((choice) => choice.message);
    const reasons = choices
      .map((c) => c.finish_reason)
      .filter((r): r is string => typeof r === 'string');
    return {
      model: completion?.model,
      output: messages.length === 1 ? messages[0] : messages,
      usage: openaiUsage(completion?.usage),
      attributes: responseAttributes(completion?.id, reasons),
    };
  },
  stream: () => chatStream(),
};

interface ChoiceState {
  role: string;
  content: string;
  refusal: string;
  toolCalls: Array<{ id?: string; type: string; function: { name: string; arguments: string } }>;
  finishReason?: string;
}

/** Assembles streamed chat chunks: text, refusals and tool calls per choice; usage from the last chunk. */
function chatStream(): StreamAccumulator {
  const choices: ChoiceState[] = [];
  let model: string | undefined;
  let id: string | undefined;
  let usage: Usage | undefined;
  return {
    add(event) {
      const chunk = event as Json;
      if (!chunk || typeof chunk !== 'object') return false;
      if (typeof chunk.model === 'string') model = chunk.model;
      if (typeof chunk.id === 'string') id = chunk.id;
      if (chunk.usage) usage = openaiUsage(chunk.usage) ?? usage;
      let token = false;
      for (const choice of Array.isArray(chunk.choices) ? (chunk.choices as Json[]) : []) {
        const index = typeof choice.index === 'number' ? choice.index : 0;
        let state = choices[index];
        if (state === undefined) {
          state = { role: 'assistant', content: '', refusal: '', toolCalls: [] };
          choices[index] = state;
        }
        const delta = (choice.delta ?? {}) as Json;
        if (typeof delta.role === 'string') state.role = delta.role;
        if (typeof delta.content === 'string' && delta.content !== '') {
          state.content += delta.content;
          token = true;
        }
        if (typeof delta.refusal === 'string' && delta.refusal !== '') {
          state.refusal += delta.refusal;
          token = true;
        }
        for (const call of Array.isArray(delta.tool_calls) ? (delta.tool_calls as Json[]) : []) {
          const at = typeof call.index === 'number' ? call.index : state.toolCalls.length;
          let tool = state.toolCalls[at];
          if (tool === undefined) {
            tool = { type: 'function', function: { name: '', arguments: '' } };
            state.toolCalls[at] = tool;
          }
          if (typeof call.id === 'string') tool.id = call.id;
          if (typeof call.type === 'string') tool.type = call.type;
          if (typeof call.function?.name === 'string') tool.function.name += call.function.name;
          if (typeof call.function?.arguments === 'string') {
            tool.function.arguments += call.function.arguments;
          }
          token = true;
        }
        if (typeof choice.finish_reason === 'string') state.finishReason = choice.finish_reason;
      }
      return token;
    },
    result() {
      const messages = choices.filter(Boolean).map((state) => {
        const message: Json = {
          role: state.role,
          content: state.content === '' && state.toolCalls.length > 0 ? null : state.content,
        };
        if (state.refusal !== '') message.refusal = state.refusal;
        const calls = state.toolCalls.filter(Boolean);
        if (calls.length > 0) message.tool_calls = calls;
        return message;
      });
      const reasons = choices
        .map((c) => c?.finishReason)
        .filter((r): r is string => typeof r === 'string');
      return {
        model,
        output: messages.length === 1 ? messages[0] : messages.length > 0 ? messages : undefined,
        usage,
        attributes: responseAttributes(id, reasons),
      };
    },
  };
}

// --- responses.create ------------------------------------------------------

const responses: Instrumentation = {
  start(body) {
    const model = modelOf(body);
    const input: Json = {};
    if (body.instructions !== undefined) input.instructions = body.instructions;
    input.input = body.input;
    if (Array.isArray(body.tools)) input.tools = body.tools;
    return {
      name: `chat ${model ?? ''}`.trim(),
      kind: 'llm',
      provider: PROVIDER,
      model,
      input: Object.keys(input).length === 1 ? body.input : input,
      attributes: { ...requestAttributes(body, 'chat'), 'openai.api': 'responses' },
    } satisfies CallStart;
  },
  result(response) {
    return responseResult(response as Json);
  },
  stream: () => responsesStream(),
};

function responseResult(response: Json | undefined): CallResult {
  const reasons: string[] = [];
  if (typeof response?.status === 'string') {
    reasons.push(
      response.status === 'incomplete' && typeof response.incomplete_details?.reason === 'string'
        ? response.incomplete_details.reason
        : response.status,
    );
  }
  return {
    model: response?.model,
    output: response?.output,
    usage: openaiUsage(response?.usage),
    attributes: responseAttributes(response?.id, reasons),
  };
}

/**
 * Streamed Responses API: the terminal event (`response.completed`, `.incomplete`,
 * `.failed`) carries the whole response, output included; until it arrives (or if
 * it never does) the output is assembled from the item and text-delta events.
 */
function responsesStream(): StreamAccumulator {
  let final: Json | undefined;
  let started: Json | undefined;
  const items: Json[] = [];
  const text = new Map<string, string>();
  return {
    add(event) {
      const e = event as Json;
      if (!e || typeof e.type !== 'string') return false;
      switch (e.type) {
        case 'response.created':
        case 'response.in_progress':
          started = e.response ?? started;
          return false;
        case 'response.completed':
        case 'response.incomplete':
        case 'response.failed':
          final = e.response;
          return false;
        case 'response.output_item.done':
          if (typeof e.output_index === 'number' && e.item) items[e.output_index] = e.item;
          return false;
        case 'response.output_item.added':
          if (typeof e.output_index === 'number' && e.item && items[e.output_index] === undefined) {
            items[e.output_index] = e.item;
          }
          return e.item?.type === 'function_call';
        case 'response.output_text.delta':
        case 'response.refusal.delta': {
          const key = `${e.output_index ?? 0}:${e.content_index ?? 0}`;
          text.set(key, (text.get(key) ?? '') + (typeof e.delta === 'string' ? e.delta : ''));
          return true;
        }
        case 'response.function_call_arguments.delta':
          return true;
        default:
          return false;
      }
    },
    result() {
      const response = final ?? started;
      const result = responseResult(response);
      const finalOutput = final?.output;
      if (!Array.isArray(finalOutput) || finalOutput.length === 0) {
        const assembled = items.filter(Boolean);
        if (assembled.length > 0) result.output = assembled;
        else if (text.size > 0) result.output = [...text.values()].join('');
        else result.output = undefined;
      }
      return result;
    },
  };
}

// --- embeddings.create -----------------------------------------------------

const embeddings: Instrumentation = {
  start(body) {
    const model = modelOf(body);
    return {
      name: `embeddings ${model ?? ''}`.trim(),
      kind: 'embedding',
      provider: PROVIDER,
      model,
      input: body.input,
      attributes: requestAttributes(body, 'embeddings'),
    } satisfies CallStart;
  },
  result(response) {
    const r = response as Json;
    const data: Json[] = Array.isArray(r?.data) ? r.data : [];
    const attributes: Attributes = { 'gen_ai.embeddings.count': data.length };
    const first = data[0]?.embedding;
    if (Array.isArray(first)) attributes['gen_ai.embeddings.dimension.count'] = first.length;
    // Vectors are not worth their bytes in a trace; the count and size are.
    return { model: r?.model, usage: openaiUsage(r?.usage), attributes };
  },
};

/** The OpenAI SDK methods `observeOpenAI` traces. */
export const OPENAI_ROUTES = {
  'chat.completions.create': chatCompletions,
  'responses.create': responses,
  'embeddings.create': embeddings,
} as const;

/** Resources whose helpers call a traced method through the client (openai v4's `beta.chat.completions.parse()`/`.stream()`). */
export const OPENAI_HELPER_RESOURCES = ['beta.chat.completions'] as const;
