import { observeOpenAI } from '@tracewire/ai';
import type { SpanData, TraceData } from '@tracewire/core';
import OpenAI from 'openai-v4';
import { Stream } from 'openai-v4/streaming';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeModelServer, startFakeModelServer } from './helpers/fake-model-server';
import { memoryTracer } from './helpers/memory-tracer';

// The same wrapper against openai v4 (installed as the `openai-v4` alias), whose
// APIPromise and Stream predate v5's rewrite.
let server: FakeModelServer;
beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(() => server.close());

function setup() {
  const { tracer, traced } = memoryTracer();
  const openai = observeOpenAI(
    new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: 0 }),
    { tracer },
  );
  return { openai, traced };
}

const llmSpan = (trace: TraceData): SpanData => trace.spans.find((s) => s.kind === 'llm')!;
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

describe('observeOpenAI with openai v4', () => {
  it('records a plain call and keeps withResponse()', async () => {
    const { openai, traced } = setup();
    expect(openai).toBeInstanceOf(OpenAI);
    let status = 0;
    const trace = await traced(async () => {
      const { data, response } = await openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages })
        .withResponse();
      status = response.status;
      expect(data.choices[0]!.message.content).toBe('Paris is the capital of France.');
    });
    expect(status).toBe(200);
    expect(llmSpan(trace)).toMatchObject({
      status: 'ok',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { totalTokens: 29 },
    });
    expect(llmSpan(trace).cost).toBeGreaterThan(0);
  });

  it('observes a stream in place: same Stream, assembled output, final usage', async () => {
    const { openai, traced } = setup();
    let text = '';
    const trace = await traced(async () => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(stream).toBeInstanceOf(Stream);
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    });
    expect(text).toBe('Paris is the capital of France.');
    const span = llmSpan(trace);
    expect(JSON.parse(span.output!).content).toBe(text);
    expect(span.usage).toMatchObject({ inputTokens: 19, outputTokens: 10 });
  });

  it('records errors and rethrows them unchanged', async () => {
    const { openai, traced } = setup();
    const trace = await traced(async () => {
      await expect(
        openai.chat.completions.create({ model: 'rate-limited', messages }),
      ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    });
    expect(llmSpan(trace)).toMatchObject({
      status: 'error',
      attributes: { 'http.response.status_code': 429 },
    });
  });
});

describe('observeOpenAI with openai v4: the beta helpers', () => {
  it('beta.chat.completions.parse() and .stream() are traced', async () => {
    const { openai, traced } = setup();
    let parsed: unknown;
    let streamed = '';
    const trace = await traced(async () => {
      const completion = await openai.beta.chat.completions.parse({
        model: 'gpt-4o-mini',
        messages,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'weather', schema: { type: 'object' }, strict: true },
        },
      });
      parsed = completion.choices[0]!.message.parsed;
      const runner = openai.beta.chat.completions.stream({ model: 'gpt-4o-mini', messages });
      streamed = (await runner.finalChatCompletion()).choices[0]!.message.content ?? '';
    });
    expect(parsed).toEqual({ city: 'Paris', temperature_c: 18 });
    expect(streamed).toBe('Paris is the capital of France.');
    const spans = trace.spans.filter((s) => s.kind === 'llm');
    expect(spans.map((s) => s.status)).toEqual(['ok', 'ok']);
    expect(JSON.parse(spans[1]!.output!).content).toBe(streamed);
  });
});
