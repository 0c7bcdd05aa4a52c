import { registerOpenTelemetry } from '@tracewire/opentelemetry';
import { toOtlpTraces } from '@tracewire/otlp';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { MockLanguageModelV2, simulateReadableStream } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoryTracer, spanNamed, tracesWhere } from './support';

const setup = memoryTracer('assistant');
const { tracer } = setup;
let unregister: () => void;
beforeAll(() => {
  unregister = registerOpenTelemetry({ tracer });
});
afterAll(() => unregister());

const usage = { inputTokens: 12, outputTokens: 30, totalTokens: 42 };

describe('the Vercel AI SDK with experimental_telemetry', () => {
  it('generateText: the model call is an llm span with model, provider, usage, input and output', async () => {
    const model = new MockLanguageModelV2({
      provider: 'openai.chat',
      modelId: 'gpt-4o-mini',
      doGenerate: async () => ({
        content: [{ type: 'text', text: 'Hello, Ada.' }],
        finishReason: 'stop',
        usage,
        warnings: [],
      }),
    });
    const text = await tracer.trace('greet', async () => {
      const result = await generateText({
        model,
        prompt: 'Greet Ada',
        experimental_telemetry: { isEnabled: true, functionId: 'greet' },
      });
      return result.text;
    });
    expect(text).toBe('Hello, Ada.');

    const [trace] = await tracesWhere(setup, (t) => t.name === 'greet');
    const operation = spanNamed(trace!, 'ai.generateText');
    const call = spanNamed(trace!, 'ai.generateText.doGenerate');
    expect(operation.parentId).toBe(trace!.rootSpanId);
    expect(call.parentId).toBe(operation.spanId);

    expect(call.kind).toBe('llm');
    expect(call.model).toBe('gpt-4o-mini');
    expect(call.provider).toBe('openai');
    expect(call.usage).toEqual(usage);
    expect(call.input).toContain('Greet Ada');
    expect(call.output).toBe('Hello, Ada.');
    expect(call.attributes['gen_ai.request.model']).toBe('gpt-4o-mini');

    // The operation carries model and IO but not usage: its tokens are its calls'.
    expect(operation.kind).toBe('chain');
    expect(operation.model).toBe('gpt-4o-mini');
    expect(operation.usage).toBeUndefined();
    expect(operation.output).toBe('Hello, Ada.');

    // In OTLP export the call is a GenAI chat span with the semantic-convention attributes.
    const otlp = toOtlpTraces([trace!]);
    const exported = otlp.resourceSpans[0]!.scopeSpans[0]!.spans.find((s) => s.name === call.name)!;
    const attr = (key: string) => exported.attributes.find((a) => a.key === key)?.value;
    expect(attr('gen_ai.operation.name')).toEqual({ stringValue: 'chat' });
    expect(attr('gen_ai.request.model')).toEqual({ stringValue: 'gpt-4o-mini' });
    expect(attr('gen_ai.usage.input_tokens')).toEqual({ intValue: '12' });
  });

  it('a tool call is a tool span with its arguments and result', async () => {
    const model = new MockLanguageModelV2({
      doGenerate: [
        {
          content: [
            { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{"city":"Oslo"}' },
          ],
          finishReason: 'tool-calls',
          usage,
          warnings: [],
        },
        {
          content: [{ type: 'text', text: 'It is 4°C in Oslo.' }],
          finishReason: 'stop',
          usage,
          warnings: [],
        },
      ],
    });
    await tracer.trace('weather', () =>
      generateText({
        model,
        prompt: 'Weather in Oslo?',
        tools: {
          weather: tool({
            description: 'Current temperature',
            inputSchema: z.object({ city: z.string() }),
            execute: async ({ city }) => ({ city, celsius: 4 }),
          }),
        },
        stopWhen: stepCountIs(2),
        experimental_telemetry: { isEnabled: true },
      }),
    );
    const [trace] = await tracesWhere(setup, (t) => t.name === 'weather');
    const calls = trace!.spans.filter((s) => s.name === 'ai.generateText.doGenerate');
    expect(calls.map((s) => s.kind)).toEqual(['llm', 'llm']);
    const toolSpan = spanNamed(trace!, 'ai.toolCall');
    expect(toolSpan.kind).toBe('tool');
    expect(JSON.parse(toolSpan.input!)).toEqual({ city: 'Oslo' });
    expect(JSON.parse(toolSpan.output!)).toEqual({ city: 'Oslo', celsius: 4 });
  });

  it('streamText: the streamed call is an llm span once the stream ends', async () => {
    const model = new MockLanguageModelV2({
      modelId: 'claude-haiku',
      provider: 'anthropic.messages',
      doStream: async () => ({
        stream: simulateReadableStream({
          chunks: [
            { type: 'text-start', id: 't' },
            { type: 'text-delta', id: 't', delta: 'Hi ' },
            { type: 'text-delta', id: 't', delta: 'there' },
            { type: 'text-end', id: 't' },
            { type: 'finish', finishReason: 'stop', usage },
          ],
        }),
      }),
    });
    const text = await tracer.trace('stream', async () => {
      const result = streamText({
        model,
        prompt: 'Say hi',
        experimental_telemetry: { isEnabled: true },
      });
      return await result.text;
    });
    expect(text).toBe('Hi there');
    const [trace] = await tracesWhere(setup, (t) => t.name === 'stream');
    const call = spanNamed(trace!, 'ai.streamText.doStream');
    expect(call).toMatchObject({
      kind: 'llm',
      model: 'claude-haiku',
      provider: 'anthropic',
      usage,
    });
    expect(call.output).toBe('Hi there');
  });
});
