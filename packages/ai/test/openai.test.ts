import { Readable } from 'node:stream';
import { observeOpenAI } from '@tracewire/ai';
import {
  createTracer,
  memoryExporter,
  type SpanData,
  sensitiveDataMasker,
  type TraceData,
} from '@tracewire/core';
import OpenAI, { APIPromise } from 'openai';
import { Stream } from 'openai/streaming';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeModelServer, startFakeModelServer } from './helpers/fake-model-server';
import { memoryTracer } from './helpers/memory-tracer';

let server: FakeModelServer;
beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(() => server.close());

function setup() {
  const { exporter, tracer, traced } = memoryTracer();
  const raw = new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: 0 });
  const openai = observeOpenAI(raw, { tracer });
  return { exporter, tracer, raw, openai, traced };
}

const llmSpan = (trace: TraceData): SpanData =>
  trace.spans.find((s) => s.kind === 'llm' || s.kind === 'embedding')!;
const json = (text: string | undefined) => (text === undefined ? undefined : JSON.parse(text));
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

describe('observeOpenAI: chat.completions.create', () => {
  it('records a child llm span with model, input, output, finish reason, usage and cost', async () => {
    const { openai, raw, traced } = setup();
    let reply: OpenAI.Chat.ChatCompletion | undefined;
    const trace = await traced(async () => {
      reply = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        temperature: 0.2,
      });
    });
    expect(reply).toEqual(
      await raw.chat.completions.create({ model: 'gpt-4o-mini', messages, temperature: 0.2 }),
    );
    const span = llmSpan(trace);
    expect(span.parentId).toBe(trace.rootSpanId);
    expect(span).toMatchObject({
      name: 'chat gpt-4o-mini',
      kind: 'llm',
      status: 'ok',
      model: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      usage: { inputTokens: 19, outputTokens: 10, totalTokens: 29, cachedInputTokens: 6 },
    });
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.id': 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      'gen_ai.response.finish_reasons': ['stop'],
    });
    // gpt-4o-mini: 13 uncached at $0.15, 6 cached at $0.075, 10 out at $0.60 per million.
    expect(span.cost).toBeCloseTo((13 * 0.15 + 6 * 0.075 + 10 * 0.6) / 1e6, 12);
    expect(json(span.input)).toEqual(messages);
    expect(json(span.output)).toMatchObject({
      role: 'assistant',
      content: 'Paris is the capital of France.',
    });
  });

  it('makes a trace of its own outside any trace', async () => {
    const { openai, exporter, tracer } = setup();
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await tracer.flush();
    const [trace] = exporter.traces();
    expect(exporter.traces()).toHaveLength(1);
    const [llm, ...rest] = trace!.spans;
    expect(llm).toMatchObject({
      kind: 'llm',
      parentId: null,
      model: 'gpt-4o-mini-2024-07-18',
      status: 'ok',
    });
    expect(llm!.cost).toBeGreaterThan(0);
    // The tracer's outgoing instrumentation records the SDK's HTTP request under the llm span.
    expect(rest.map((s) => [s.kind, s.parentId])).toEqual([['client', llm!.spanId]]);
  });

  it('keeps capturing with a response_format json_schema in the request (langfuse-js #180)', async () => {
    const { openai, traced } = setup();
    const response_format = {
      type: 'json_schema' as const,
      json_schema: {
        name: 'weather',
        strict: true,
        schema: {
          type: 'object',
          properties: { city: { type: 'string' }, temperature_c: { type: 'number' } },
          required: ['city', 'temperature_c'],
          additionalProperties: false,
        },
      },
    };
    let content: string | null | undefined;
    const trace = await traced(async () => {
      const reply = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        response_format,
      });
      content = reply.choices[0]!.message.content;
    });
    expect(JSON.parse(content!)).toEqual({ city: 'Paris', temperature_c: 18 });
    const span = llmSpan(trace);
    expect(span.status).toBe('ok');
    expect(span.attributes).toMatchObject({
      'gen_ai.output.type': 'json',
      'openai.request.response_format': 'json_schema',
    });
    expect(json(span.output).content).toBe('{"city":"Paris","temperature_c":18}');
    expect(span.usage?.totalTokens).toBe(29);
  });

  it('records tool calls and the tools offered', async () => {
    const { openai, traced } = setup();
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const trace = await traced(() =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools }),
    );
    const span = llmSpan(trace);
    expect(json(span.input)).toEqual({ messages, tools });
    expect(json(span.output).tool_calls).toEqual([
      {
        id: 'call_abc123',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
    ]);
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
  });

  it('keeps .withResponse(), .asResponse() and instanceof working', async () => {
    const { openai, traced } = setup();
    expect(openai).toBeInstanceOf(OpenAI);
    let withResponse: Awaited<ReturnType<APIPromise<unknown>['withResponse']>> | undefined;
    let bodyText = '';
    const trace = await traced(async () => {
      const promise = openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(promise).toBeInstanceOf(APIPromise);
      expect(promise).toBeInstanceOf(Promise);
      withResponse = await promise.withResponse();
      const response = await openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages })
        .asResponse();
      bodyText = await response.text();
    });
    expect(withResponse!.response.status).toBe(200);
    expect(withResponse!.request_id).toBe('req_fake123');
    expect((withResponse!.data as OpenAI.Chat.ChatCompletion).choices[0]!.message.content).toBe(
      'Paris is the capital of France.',
    );
    // The raw body is the caller's to read: the wrapper never consumed it.
    expect(JSON.parse(bodyText).id).toBe('chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT');
    const [first, second] = trace.spans.filter((s) => s.kind === 'llm');
    expect(first!.usage?.totalTokens).toBe(29);
    expect(second).toMatchObject({
      status: 'ok',
      attributes: { 'http.response.status_code': 200, 'tracewire.llm.body_unread': true },
    });
  });

  it('records a 429 as an error with its status and type, and rethrows the SDK error unchanged', async () => {
    const { openai, traced } = setup();
    let caught: unknown;
    const trace = await traced(async () => {
      caught = await openai.chat.completions
        .create({ model: 'rate-limited', messages })
        .catch((e) => e);
    });
    expect(caught).toBeInstanceOf(OpenAI.RateLimitError);
    const span = llmSpan(trace);
    expect(span.status).toBe('error');
    expect(span.error).toMatchObject({ type: 'RateLimitError' });
    expect(span.error!.message).toMatch(/Rate limit reached/);
    expect(span.attributes).toMatchObject({
      'http.response.status_code': 429,
      'error.type': 'requests',
    });
  });

  it('records a 500 as an error', async () => {
    const { openai, traced } = setup();
    const trace = await traced(async () => {
      await expect(
        openai.chat.completions.create({ model: 'broken', messages }),
      ).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    });
    expect(llmSpan(trace)).toMatchObject({
      status: 'error',
      attributes: { 'http.response.status_code': 500, 'error.type': 'server_error' },
    });
  });
});

describe('observeOpenAI: streamed chat', () => {
  it('ends the span when the stream is consumed, with assembled output, time to first token and the final usage', async () => {
    const { openai, traced } = setup();
    let text = '';
    let stream: unknown;
    const trace = await traced(async () => {
      const s = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      stream = s;
      for await (const chunk of s) text += chunk.choices[0]?.delta.content ?? '';
    });
    expect(stream).toBeInstanceOf(Stream);
    expect(text).toBe('Paris is the capital of France.');
    const span = llmSpan(trace);
    expect(span.status).toBe('ok');
    expect(json(span.output)).toEqual({
      role: 'assistant',
      content: 'Paris is the capital of France.',
    });
    expect(span.usage).toMatchObject({ inputTokens: 19, outputTokens: 10, totalTokens: 29 });
    expect(span.cost).toBeGreaterThan(0);
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(span.attributes['gen_ai.response.time_to_first_token_ms']).toBeGreaterThanOrEqual(0);
    expect(span.events?.map((e) => e.name)).toContain('gen_ai.first_token');
  });

  it('stays async iterable for libraries that consume it: Readable.from, tee(), toReadableStream() (langfuse #4033)', async () => {
    const { openai, traced } = setup();
    const collected: string[] = [];
    const trace = await traced(async () => {
      const viaNode = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
      });
      for await (const chunk of Readable.from(viaNode))
        collected.push(chunk.choices[0]?.delta.content ?? '');
      const [left, right] = (
        await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
      ).tee();
      for await (const chunk of left) collected.push(chunk.choices[0]?.delta.content ?? '');
      for await (const chunk of right) collected.push(chunk.choices[0]?.delta.content ?? '');
      const web = (
        await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
      ).toReadableStream();
      const reader = web.getReader();
      while (!(await reader.read()).done) {}
    });
    expect(collected.join('')).toBe('Paris is the capital of France.'.repeat(3));
    const spans = trace.spans.filter((s) => s.kind === 'llm');
    expect(spans).toHaveLength(3);
    for (const span of spans) {
      expect(span.status).toBe('ok');
      expect(json(span.output).content).toBe('Paris is the capital of France.');
    }
  });

  it('assembles streamed tool calls (langfuse #5490, #2163)', async () => {
    const { openai, traced } = setup();
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', parameters: { type: 'object' } },
      },
    ];
    const trace = await traced(async () => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        tools,
        stream: true,
      });
      for await (const _ of stream) {
      }
    });
    const span = llmSpan(trace);
    expect(json(span.output)).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: 'call_abc123',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
        },
      ],
    });
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
  });

  it('records an error event in the middle of a stream, with the output so far', async () => {
    const { openai, traced } = setup();
    let caught: unknown;
    const trace = await traced(async () => {
      const stream = await openai.chat.completions.create({
        model: 'error-mid-stream',
        messages,
        stream: true,
      });
      try {
        for await (const _ of stream) {
        }
      } catch (error) {
        caught = error;
      }
    });
    expect(caught).toBeInstanceOf(OpenAI.APIError);
    const span = llmSpan(trace);
    expect(span).toMatchObject({
      status: 'error',
      error: { message: expect.stringMatching(/invalid content/) },
    });
    expect(json(span.output).content).toBe('Paris is the capital');
  });

  it('ends the span as cancelled, with what arrived, when the caller breaks out early', async () => {
    const { openai, traced } = setup();
    const trace = await traced(async () => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
      });
      let n = 0;
      for await (const _ of stream) if (++n === 3) break;
    });
    const span = llmSpan(trace);
    expect(span).toMatchObject({
      status: 'cancelled',
      statusMessage: 'stream closed before its end',
    });
    expect(json(span.output).content).toBe('Paris is the capital');
  });

  it('ends the span as cancelled when an abort signal stops the stream', async () => {
    const { openai, traced } = setup();
    const controller = new AbortController();
    let received = '';
    const trace = await traced(async () => {
      const stream = await openai.chat.completions.create(
        { model: 'hang-stream', messages, stream: true },
        { signal: controller.signal },
      );
      for await (const chunk of stream) {
        received += chunk.choices[0]?.delta.content ?? '';
        if (received !== '') controller.abort();
      }
    });
    expect(received).toBe('Paris');
    const span = llmSpan(trace);
    expect(span).toMatchObject({ status: 'cancelled', statusMessage: 'aborted by the caller' });
    expect(json(span.output).content).toBe('Paris');
  });

  it('records an aborted request that never got a response as cancelled', async () => {
    const { openai, traced } = setup();
    const controller = new AbortController();
    const trace = await traced(async () => {
      const pending = openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages },
        { signal: controller.signal },
      );
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    });
    expect(llmSpan(trace)).toMatchObject({
      status: 'cancelled',
      attributes: { 'error.type': 'aborted' },
    });
  });
});

describe('observeOpenAI: responses.create', () => {
  it('records output, reasoning tokens and cost, and keeps output_text', async () => {
    const { openai, traced } = setup();
    let outputText = '';
    const trace = await traced(async () => {
      const response = await openai.responses.create({
        model: 'gpt-4.1',
        instructions: 'Be brief.',
        input: 'Tell me a story.',
      });
      outputText = response.output_text;
    });
    expect(outputText).toBe('Under a silver moon, a unicorn slept.');
    const span = llmSpan(trace);
    expect(span).toMatchObject({
      model: 'gpt-4.1-2025-04-14',
      usage: { inputTokens: 36, outputTokens: 87, totalTokens: 123, reasoningTokens: 64 },
      attributes: { 'openai.api': 'responses', 'gen_ai.response.finish_reasons': ['completed'] },
    });
    expect(json(span.input)).toEqual({ instructions: 'Be brief.', input: 'Tell me a story.' });
    expect(json(span.output)[0].content[0].text).toBe('Under a silver moon, a unicorn slept.');
    expect(span.cost).toBeCloseTo((36 * 2 + 87 * 8) / 1e6, 12);
  });

  it('keeps streamed output as well as usage (litellm #36361)', async () => {
    const { openai, traced } = setup();
    const deltas: string[] = [];
    const trace = await traced(async () => {
      const stream = await openai.responses.create({
        model: 'gpt-4.1',
        input: 'Tell me a story.',
        stream: true,
      });
      for await (const event of stream)
        if (event.type === 'response.output_text.delta') deltas.push(event.delta);
    });
    expect(deltas.join('')).toBe('Under a silver moon, a unicorn slept.');
    const span = llmSpan(trace);
    expect(span.usage).toMatchObject({ inputTokens: 36, outputTokens: 87 });
    expect(json(span.output)[0].content[0].text).toBe('Under a silver moon, a unicorn slept.');
    expect(span.attributes['gen_ai.response.time_to_first_token_ms']).toBeGreaterThanOrEqual(0);
  });

  it('assembles streamed output from the item events when the final event carries none', async () => {
    const { openai, traced } = setup();
    const trace = await traced(async () => {
      const stream = await openai.responses.create({
        model: 'empty-final',
        input: 'x',
        stream: true,
      });
      for await (const _ of stream) {
      }
    });
    const span = llmSpan(trace);
    expect(json(span.output)[0].content[0].text).toBe('Under a silver moon, a unicorn slept.');
    expect(span.usage?.totalTokens).toBe(123);
  });
});

describe('observeOpenAI: embeddings.create', () => {
  it('records an embedding span with usage and cost, and returns the decoded vectors unchanged', async () => {
    const { openai, raw, traced } = setup();
    let result: OpenAI.CreateEmbeddingResponse | undefined;
    const trace = await traced(async () => {
      result = await openai.embeddings.create({
        model: 'text-embedding-3-small',
        input: ['a', 'b'],
      });
    });
    expect(result).toEqual(
      await raw.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] }),
    );
    expect(result!.data[0]!.embedding).toHaveLength(4);
    const span = llmSpan(trace);
    expect(span).toMatchObject({
      name: 'embeddings text-embedding-3-small',
      kind: 'embedding',
      usage: { inputTokens: 8, totalTokens: 8 },
      attributes: { 'gen_ai.embeddings.count': 2, 'gen_ai.embeddings.dimension.count': 4 },
    });
    expect(span.cost).toBeCloseTo((8 * 0.02) / 1e6, 15);
    expect(span.output).toBeUndefined();
  });
});

describe('observeOpenAI: the client stays the client', () => {
  it('leaves other methods and withOptions() working, and a withOptions() client observed', async () => {
    const { openai, traced } = setup();
    expect(openai.baseURL).toBe(`${server.url}/v1`);
    const scoped = openai.withOptions({ timeout: 5000 });
    expect(scoped).toBeInstanceOf(OpenAI);
    const trace = await traced(() =>
      scoped.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    );
    expect(llmSpan(trace).status).toBe('ok');
  });

  it('does not record content with captureContent: false', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 's', exporter, batch: { scheduledDelayMs: 5 } });
    const openai = observeOpenAI(
      new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: 0 }),
      { tracer, captureContent: false },
    );
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await tracer.flush();
    const span = exporter.traces()[0]!.spans[0]!;
    expect(span.input).toBeUndefined();
    expect(span.output).toBeUndefined();
    expect(span.usage?.totalTokens).toBe(29);
  });
});

describe('observeOpenAI with a mask', () => {
  it('prompts and completions pass through the tracer mask before export', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({
      serviceName: 's',
      exporter,
      batch: { scheduledDelayMs: 5 },
      mask: sensitiveDataMasker(),
    });
    const openai = observeOpenAI(
      new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: 0 }),
      { tracer },
    );
    const content = 'I am jane@example.com, card 4111 1111 1111 1111';
    const reply = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content }],
    });
    await tracer.flush();
    const span = exporter.traces()[0]!.spans[0]!;
    expect(json(span.input)).toEqual([{ role: 'user', content: 'I am [EMAIL], card [CARD]' }]);
    expect(span.usage?.totalTokens).toBe(29);
    expect(reply.choices[0]!.message.content).toBe('Paris is the capital of France.');
    expect(server.requests.at(-1)!.body.messages[0].content).toBe(content);
  });
});

describe("observeOpenAI: the SDK's helpers go through the observed client", () => {
  it('chat.completions.parse() records the call and still parses', async () => {
    const { openai, traced } = setup();
    let parsed: unknown;
    const trace = await traced(async () => {
      const completion = await openai.chat.completions.parse({
        model: 'gpt-4o-mini',
        messages,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'weather', schema: { type: 'object' }, strict: true },
        },
      });
      parsed = completion.choices[0]!.message.parsed;
    });
    expect(parsed).toEqual({ city: 'Paris', temperature_c: 18 });
    const spans = trace.spans.filter((s) => s.kind === 'llm');
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ status: 'ok', usage: { totalTokens: 29 } });
  });

  it('chat.completions.stream() records one streamed call', async () => {
    const { openai, traced } = setup();
    let final = '';
    const trace = await traced(async () => {
      const runner = openai.chat.completions.stream({
        model: 'gpt-4o-mini',
        messages,
        stream_options: { include_usage: true },
      });
      final = (await runner.finalChatCompletion()).choices[0]!.message.content ?? '';
    });
    expect(final).toBe('Paris is the capital of France.');
    const spans = trace.spans.filter((s) => s.kind === 'llm');
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ status: 'ok', usage: { totalTokens: 29 } });
    expect(json(spans[0]!.output).content).toBe(final);
  });

  it('responses.stream() records one streamed call with its output', async () => {
    const { openai, traced } = setup();
    let text = '';
    const trace = await traced(async () => {
      const stream = openai.responses.stream({ model: 'gpt-4.1', input: 'Tell me a story.' });
      text = (await stream.finalResponse()).output_text;
    });
    expect(text).toBe('Under a silver moon, a unicorn slept.');
    const spans = trace.spans.filter((s) => s.kind === 'llm');
    expect(spans).toHaveLength(1);
    expect(json(spans[0]!.output)[0].content[0].text).toBe(text);
  });
});

describe('observeOpenAI: configuration', () => {
  it('fails fast on bad options, with a message saying how to fix them', () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1` });
    expect(() => observeOpenAI(client, { tracer: {} as never })).toThrow(/createTracer\(\)/);
    expect(() => observeOpenAI(client, { captureContent: 'no' as never })).toThrow(
      /captureContent/,
    );
    expect(() => observeOpenAI(client, { attributes: 3 as never })).toThrow(/attributes/);
  });

  it('observing an observed client again records each call once', async () => {
    const { openai, traced } = setup();
    const twice = observeOpenAI(openai);
    expect(twice).toBe(openai);
    const trace = await traced(() =>
      twice.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    );
    expect(trace.spans.filter((s) => s.kind === 'llm')).toHaveLength(1);
  });

  it('adds the configured attributes to every span', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 's', exporter, batch: { scheduledDelayMs: 5 } });
    const openai = observeOpenAI(
      new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: 0 }),
      { tracer, attributes: { 'app.feature': 'search' } },
    );
    await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    await tracer.flush();
    expect(exporter.traces()[0]!.spans[0]!.attributes['app.feature']).toBe('search');
  });
});
