import Anthropic from '@anthropic-ai/sdk';
import { observeAnthropic } from '@tracewire/ai';
import type { SpanData, TraceData } from '@tracewire/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeModelServer, startFakeModelServer } from './helpers/fake-model-server';
import { memoryTracer } from './helpers/memory-tracer';

let server: FakeModelServer;
beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(() => server.close());

function setup() {
  const { tracer, traced } = memoryTracer();
  const raw = new Anthropic({ apiKey: 'sk-ant-test', baseURL: server.url, maxRetries: 0 });
  const anthropic = observeAnthropic(raw, { tracer });
  return { raw, anthropic, traced };
}

const llmSpan = (trace: TraceData): SpanData => trace.spans.find((s) => s.kind === 'llm')!;
const json = (text: string | undefined) => (text === undefined ? undefined : JSON.parse(text));
const messages = [{ role: 'user' as const, content: 'Hello, Claude' }];
const tools = [
  {
    name: 'get_weather',
    input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
  },
];

describe('observeAnthropic: messages.create', () => {
  it('records model, input, output, stop reason, cache-aware usage and cost', async () => {
    const { anthropic, raw, traced } = setup();
    let reply: Anthropic.Message | undefined;
    const trace = await traced(async () => {
      reply = await anthropic.messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        system: 'Be kind.',
        messages,
      });
    });
    expect(reply).toEqual(
      await raw.messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        system: 'Be kind.',
        messages,
      }),
    );
    expect(anthropic).toBeInstanceOf(Anthropic);
    const span = llmSpan(trace);
    expect(span).toMatchObject({
      name: 'chat claude-sonnet-4-5',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      status: 'ok',
      // 12 uncached + 2000 cache reads + 100 cache writes.
      usage: {
        inputTokens: 2112,
        outputTokens: 6,
        totalTokens: 2118,
        cachedInputTokens: 2000,
        cacheWriteTokens: 100,
      },
      attributes: {
        'gen_ai.request.max_tokens': 256,
        'gen_ai.response.finish_reasons': ['end_turn'],
      },
    });
    expect(span.cost).toBeCloseTo((12 * 3 + 2000 * 0.3 + 100 * 3.75 + 6 * 15) / 1e6, 12);
    expect(json(span.input)).toEqual({ system: 'Be kind.', messages });
    expect(json(span.output)).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'Hello! How can I help?' }],
    });
  });

  it('assembles a streamed message, tool input JSON included', async () => {
    const { anthropic, traced } = setup();
    const types: string[] = [];
    const trace = await traced(async () => {
      const stream = await anthropic.messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        messages,
        tools,
        stream: true,
      });
      for await (const event of stream) types.push(event.type);
    });
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    const span = llmSpan(trace);
    expect(span.status).toBe('ok');
    expect(json(span.output).content).toEqual([
      { type: 'text', text: 'Let me check.' },
      {
        type: 'tool_use',
        id: 'toolu_01A09q90qw90lq917835lq9',
        name: 'get_weather',
        input: { city: 'Paris' },
      },
    ]);
    expect(span.usage).toMatchObject({ inputTokens: 2112, outputTokens: 40 });
    expect(span.attributes).toMatchObject({ 'gen_ai.response.finish_reasons': ['tool_use'] });
    expect(span.attributes['gen_ai.response.time_to_first_token_ms']).toBeGreaterThanOrEqual(0);
  });

  it('keeps .withResponse() and .asResponse() working', async () => {
    const { anthropic, traced } = setup();
    let requestId: string | null | undefined;
    let body = '';
    const trace = await traced(async () => {
      const { data, request_id } = await anthropic.messages
        .create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages })
        .withResponse();
      requestId = request_id;
      expect(data.content[0]).toMatchObject({ type: 'text' });
      const response = await anthropic.messages
        .create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages })
        .asResponse();
      body = await response.text();
    });
    expect(requestId).toBe('req_fake123');
    expect(JSON.parse(body).id).toBe('msg_01XFDUDYJgAACzvnptvVoYEL');
    expect(trace.spans.filter((s) => s.kind === 'llm' && s.status === 'ok')).toHaveLength(2);
  });

  it('records a 429 with its status and type and rethrows the SDK error', async () => {
    const { anthropic, traced } = setup();
    const trace = await traced(async () => {
      await expect(
        anthropic.messages.create({ model: 'rate-limited', max_tokens: 8, messages }),
      ).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    });
    expect(llmSpan(trace)).toMatchObject({
      status: 'error',
      error: { type: 'RateLimitError' },
      attributes: { 'http.response.status_code': 429, 'error.type': 'rate_limit_error' },
    });
  });

  it('records a 500 as an error', async () => {
    const { anthropic, traced } = setup();
    const trace = await traced(async () => {
      await expect(
        anthropic.messages.create({ model: 'broken', max_tokens: 8, messages }),
      ).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    });
    expect(llmSpan(trace)).toMatchObject({
      status: 'error',
      attributes: { 'http.response.status_code': 500, 'error.type': 'api_error' },
    });
  });

  it('ends an aborted stream as cancelled with the text that arrived', async () => {
    const { anthropic, traced } = setup();
    const controller = new AbortController();
    const trace = await traced(async () => {
      const stream = await anthropic.messages.create(
        { model: 'hang-stream', max_tokens: 8, messages, stream: true },
        { signal: controller.signal },
      );
      for await (const event of stream)
        if (event.type === 'content_block_start') controller.abort();
    });
    expect(llmSpan(trace)).toMatchObject({
      status: 'cancelled',
      statusMessage: 'aborted by the caller',
      model: 'hang-stream',
    });
  });
});

describe("observeAnthropic: the SDK's helpers go through the observed client", () => {
  it('messages.stream() records one streamed call', async () => {
    const { anthropic, traced } = setup();
    let text = '';
    const trace = await traced(async () => {
      const stream = anthropic.messages.stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages,
      });
      const message = await stream.finalMessage();
      text = message.content[0]!.type === 'text' ? message.content[0]!.text : '';
    });
    expect(text).toBe('Hello! How can I help?');
    const spans = trace.spans.filter((s) => s.kind === 'llm');
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ status: 'ok', usage: { outputTokens: 15 } });
    expect(json(spans[0]!.output).content[0].text).toBe(text);
  });
});

describe('observeAnthropic: beta.messages.create', () => {
  it('is traced like messages.create', async () => {
    const { anthropic, traced } = setup();
    const trace = await traced(() =>
      anthropic.beta.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages }),
    );
    expect(llmSpan(trace)).toMatchObject({
      status: 'ok',
      model: 'claude-sonnet-4-5-20250929',
      usage: { outputTokens: 6 },
    });
  });
});
