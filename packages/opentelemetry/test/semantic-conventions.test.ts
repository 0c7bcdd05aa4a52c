import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { registerOpenTelemetry } from '@tracewire/opentelemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTracer, spanNamed, tracesWhere } from './support';

const setup = memoryTracer('semconv');
const { tracer } = setup;
let unregister: () => void;
beforeAll(() => {
  unregister = registerOpenTelemetry({ tracer });
});
afterAll(() => unregister());

describe('GenAI semantic conventions', () => {
  it("OpenLLMetry's flattened gen_ai.* attributes make an llm span", async () => {
    await tracer.trace('openllmetry', () => {
      // As @traceloop/instrumentation-openai writes a chat completion.
      const s = trace
        .getTracer('@traceloop/instrumentation-openai', '0.14.0')
        .startSpan('openai.chat', {
          kind: SpanKind.CLIENT,
          attributes: {
            'gen_ai.system': 'openai',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.prompt.0.role': 'system',
            'gen_ai.prompt.0.content': 'Be brief.',
            'gen_ai.prompt.1.role': 'user',
            'gen_ai.prompt.1.content': 'Capital of France?',
          },
        });
      s.setAttributes({
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.prompt_tokens': 14,
        'gen_ai.usage.completion_tokens': 2,
        'llm.usage.total_tokens': 16,
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.content': 'Paris.',
      });
      s.setStatus({ code: SpanStatusCode.OK });
      s.end();
    });
    const [t] = await tracesWhere(setup, (t) => t.name === 'openllmetry');
    const s = spanNamed(t!, 'openai.chat');
    expect(s).toMatchObject({
      kind: 'llm',
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      usage: { inputTokens: 14, outputTokens: 2, totalTokens: 16 },
    });
    expect(JSON.parse(s.input!)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Capital of France?' },
    ]);
    expect(JSON.parse(s.output!)).toEqual([{ role: 'assistant', content: 'Paris.' }]);
    // The OpenTelemetry attributes stay as they were.
    expect(s.attributes['gen_ai.request.model']).toBe('gpt-4o');
  });

  it('current semconv: gen_ai.provider.name, gen_ai.input/output.messages, dotted provider names', async () => {
    await tracer.trace('semconv', () => {
      const s = trace.getTracer('bedrock').startSpan('chat claude', { kind: SpanKind.CLIENT });
      s.setAttributes({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'aws.bedrock',
        'gen_ai.request.model': 'anthropic.claude-3-haiku',
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'text', content: 'hi' }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: 'hello' }] },
        ]),
        'gen_ai.usage.input_tokens': 3,
        'gen_ai.usage.output_tokens': 1,
      });
      s.end();
    });
    const [t] = await tracesWhere(setup, (t) => t.name === 'semconv');
    const s = spanNamed(t!, 'chat claude');
    expect(s).toMatchObject({
      kind: 'llm',
      provider: 'aws.bedrock',
      model: 'anthropic.claude-3-haiku',
    });
    expect(s.usage).toEqual({ inputTokens: 3, outputTokens: 1, totalTokens: 4 });
    expect(JSON.parse(s.input!)[0].role).toBe('user');
  });

  it('database and messaging spans keep their kind and attributes', async () => {
    await tracer.trace('db', () => {
      const otel = trace.getTracer('@opentelemetry/instrumentation-ioredis');
      otel
        .startSpan('get', {
          kind: SpanKind.CLIENT,
          attributes: { 'db.system': 'redis', 'db.statement': 'get k' },
        })
        .end();
      otel
        .startSpan('orders publish', {
          kind: SpanKind.PRODUCER,
          attributes: { 'messaging.system': 'kafka' },
        })
        .end();
    });
    const [t] = await tracesWhere(setup, (t) => t.name === 'db');
    expect(spanNamed(t!, 'get')).toMatchObject({
      kind: 'client',
      attributes: { 'db.system': 'redis' },
    });
    expect(spanNamed(t!, 'get').model).toBeUndefined();
    expect(spanNamed(t!, 'orders publish').kind).toBe('producer');
  });
});
