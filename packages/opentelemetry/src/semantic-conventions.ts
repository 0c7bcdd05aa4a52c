import type { Attributes, AttributeValue, Span, SpanKind, Usage } from '@tracewire/core';

/**
 * Reads OpenTelemetry's GenAI semantic conventions (`gen_ai.*`, as OpenLLMetry
 * and current instrumentations write them) and the Vercel AI SDK's `ai.*`
 * telemetry into tracewire's model, once, when the span ends:
 *
 * - a model call (`gen_ai.*` request/system attributes, or the AI SDK's
 *   `ai.*.doGenerate` / `ai.*.doStream` spans) becomes `kind: 'llm'` with model,
 *   provider, usage, input and output;
 * - the AI SDK's outer operation (`ai.generateText`, `ai.streamText`, ...) becomes
 *   `kind: 'chain'` with model, provider, input and output but no `usage`: its
 *   tokens are the sum of its model calls', and counting them twice would double
 *   every total (and cost);
 * - tool calls (`ai.toolCall`, `gen_ai.operation.name = execute_tool`) become
 *   `kind: 'tool'`, embeddings `kind: 'embedding'`.
 *
 * Everything else (`db.*`, `messaging.*`, `http.*`) keeps the kind OpenTelemetry
 * gave it; its attributes are kept as they are either way.
 */
export function applySemanticConventions(span: Span): void {
  const a = span.attributes;
  // Most spans (queries, calls) are not GenAI: a few key lookups decide, no regex.
  if (!span.name.startsWith('ai.') && !hasGenAiKey(a)) return;
  const kind = genAiKind(span.name, a);
  if (kind === undefined) return;
  span.kind = kind;
  const model = str(
    a['gen_ai.response.model'] ??
      a['gen_ai.request.model'] ??
      a['ai.response.model'] ??
      a['ai.model.id'],
  );
  const provider = providerName(a);
  if (model !== undefined || provider !== undefined) span.update({ model, provider });
  if (kind === 'llm' || kind === 'embedding') {
    const usage = usageOf(a);
    if (usage !== undefined) span.update({ usage });
  }
  if (kind === 'tool') {
    const args = a['ai.toolCall.args'] ?? a['gen_ai.tool.call.arguments'];
    const result = a['ai.toolCall.result'] ?? a['gen_ai.tool.call.result'];
    if (args !== undefined) span.setIO(json(args));
    if (result !== undefined) span.setOutput(json(result));
    return;
  }
  const input = inputOf(a);
  if (input !== undefined) span.setIO(input);
  const output = outputOf(a);
  if (output !== undefined) span.setOutput(output);
}

function hasGenAiKey(a: Attributes): boolean {
  return (
    'gen_ai.system' in a ||
    'gen_ai.provider.name' in a ||
    'gen_ai.operation.name' in a ||
    'gen_ai.request.model' in a ||
    'ai.operationId' in a
  );
}

const AI_SDK_OPERATIONS = /^ai\.(generateText|streamText|generateObject|streamObject)$/;
const AI_SDK_MODEL_CALLS =
  /^ai\.(generateText|streamText|generateObject|streamObject)\.do(Generate|Stream)$/;

function genAiKind(name: string, a: Attributes): SpanKind | undefined {
  const operationId = str(a['ai.operationId']) ?? name;
  const operation = str(a['gen_ai.operation.name']);
  if (operationId === 'ai.toolCall' || operation === 'execute_tool') return 'tool';
  if (/^ai\.embed(Many)?(\.doEmbed)?$/.test(operationId) || operation === 'embeddings') {
    return 'embedding';
  }
  if (AI_SDK_MODEL_CALLS.test(operationId)) return 'llm';
  if (AI_SDK_OPERATIONS.test(operationId)) return 'chain';
  if (
    operation !== undefined ||
    a['gen_ai.system'] !== undefined ||
    a['gen_ai.provider.name'] !== undefined ||
    a['gen_ai.request.model'] !== undefined
  ) {
    return 'llm';
  }
  return undefined;
}

function providerName(a: Attributes): string | undefined {
  // The AI SDK names provider and API together (`openai.chat`, `anthropic.messages`)
  // and copies that into gen_ai.system; elsewhere a dot is part of the name (`aws.bedrock`).
  const sdk = str(a['ai.model.provider']);
  if (sdk !== undefined) return sdk.split('.')[0];
  return str(a['gen_ai.provider.name'] ?? a['gen_ai.system']);
}

function usageOf(a: Attributes): Usage | undefined {
  const inputTokens = num(
    a['gen_ai.usage.input_tokens'] ??
      a['gen_ai.usage.prompt_tokens'] ??
      a['ai.usage.inputTokens'] ??
      a['ai.usage.promptTokens'],
  );
  const outputTokens = num(
    a['gen_ai.usage.output_tokens'] ??
      a['gen_ai.usage.completion_tokens'] ??
      a['ai.usage.outputTokens'] ??
      a['ai.usage.completionTokens'],
  );
  const totalTokens = num(a['ai.usage.totalTokens'] ?? a['llm.usage.total_tokens']);
  if (inputTokens === undefined && outputTokens === undefined && totalTokens === undefined) {
    return undefined;
  }
  return { inputTokens, outputTokens, totalTokens };
}

function inputOf(a: Attributes): unknown {
  const direct =
    a['gen_ai.input.messages'] ?? a['ai.prompt.messages'] ?? a['ai.prompt'] ?? a['ai.values'];
  if (direct !== undefined) return json(direct);
  return indexedMessages(a, 'gen_ai.prompt.');
}

function outputOf(a: Attributes): unknown {
  const direct =
    a['gen_ai.output.messages'] ??
    a['ai.response.text'] ??
    a['ai.response.object'] ??
    a['ai.response.toolCalls'] ??
    a['ai.embeddings'];
  if (direct !== undefined) return json(direct);
  return indexedMessages(a, 'gen_ai.completion.');
}

/** OpenLLMetry's flattened messages: `gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`, ... */
function indexedMessages(a: Attributes, prefix: string): unknown {
  let messages: Array<Record<string, unknown>> | undefined;
  for (const key in a) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    if (dot <= 0) continue;
    const index = Number(rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 0 || index > 1000) continue;
    messages ??= [];
    const message = messages[index] ?? {};
    messages[index] = message;
    message[rest.slice(dot + 1)] = a[key];
  }
  return messages?.filter((m) => m !== undefined);
}

/** The AI SDK writes structured values as JSON text; kept as structure when it is. */
function json(value: AttributeValue): unknown {
  if (typeof value !== 'string') return value;
  const first = value.trimStart()[0];
  if (first !== '{' && first !== '[') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function str(value: AttributeValue): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: AttributeValue): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
