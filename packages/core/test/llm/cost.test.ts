import {
  computeCost,
  createTracer,
  DEFAULT_PRICES,
  memoryExporter,
  normalizeModelName,
} from '@tracewire/core';
import { describe, expect, it } from 'vitest';

function setup(options: Partial<Parameters<typeof createTracer>[0]> = {}) {
  const exporter = memoryExporter();
  const tracer = createTracer({
    serviceName: 'svc',
    exporter,
    batch: { scheduledDelayMs: 5 },
    ...options,
  });
  return { exporter, tracer };
}

describe('normalizeModelName', () => {
  it.each([
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['GPT-4o', 'gpt-4o'],
    ['gpt-3.5-turbo-0125', 'gpt-3.5-turbo'],
    ['gpt-4-turbo-preview', 'gpt-4-turbo'],
    ['o1-preview', 'o1'],
    ['openai/gpt-4.1-mini', 'gpt-4.1-mini'],
    ['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet'],
    ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-3-5-sonnet@20240620', 'claude-3-5-sonnet'],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet'],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash'],
    ['gemini-1.5-pro-002', 'gemini-1.5-pro'],
    ['gemini-2.5-flash-preview-05-20', 'gemini-2.5-flash'],
  ])('%s -> %s', (model, family) => {
    expect(normalizeModelName(model)).toBe(family);
  });

  it('every built-in entry prices itself and its dated snapshots', () => {
    for (const [model, price] of Object.entries(DEFAULT_PRICES)) {
      const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
      expect(computeCost(model, usage)).toBeCloseTo(price.input + price.output, 9);
      if (!/\d{3}$/.test(model)) {
        expect(computeCost(`${model}-2025-01-31`, usage)).toBeCloseTo(
          price.input + price.output,
          9,
        );
      }
    }
  });
});

describe('computeCost', () => {
  it('prices input and output per million tokens', () => {
    // gpt-4o-mini: $0.15 in, $0.60 out per million.
    expect(computeCost('gpt-4o-mini', { inputTokens: 1000, outputTokens: 200 })).toBeCloseTo(
      0.00027,
      12,
    );
    expect(
      computeCost('gpt-4o-mini-2024-07-18', { inputTokens: 1_000_000, outputTokens: 1_000_000 }),
    ).toBeCloseTo(0.75, 12);
  });

  it('prices cache reads and writes as parts of the input', () => {
    // claude-3-5-sonnet: $3 in, $0.30 cache read, $3.75 cache write, $15 out.
    const cost = computeCost('claude-3-5-sonnet-20241022', {
      inputTokens: 1_000_000 + 2_000_000 + 1_000_000,
      cachedInputTokens: 2_000_000,
      cacheWriteTokens: 1_000_000,
      outputTokens: 0,
    });
    expect(cost).toBeCloseTo(3 + 0.6 + 3.75, 9);
  });

  it('is undefined for an unknown model or usage without counts', () => {
    expect(computeCost('my-own-model', { inputTokens: 10 })).toBeUndefined();
    expect(computeCost('gpt-4o', {})).toBeUndefined();
    expect(computeCost('gpt-4o', { inputTokens: Number.NaN })).toBeUndefined();
    expect(computeCost('', { inputTokens: 1 })).toBeUndefined();
  });

  it('carries the date each price was checked', () => {
    for (const price of Object.values(DEFAULT_PRICES)) {
      expect(price.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});

describe('cost on spans', () => {
  it('is computed when an llm span ends with a model and usage', async () => {
    const { exporter, tracer } = setup();
    await tracer.trace('chat', (trace) => {
      const llm = trace.startSpan('openai.chat', { kind: 'llm', model: 'gpt-4o-2024-08-06' });
      llm.end({ usage: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 40 } });
      expect(llm.cost).toBeCloseTo((60 * 2.5 + 40 * 1.25 + 10 * 10) / 1e6, 12);
    });
    const span = exporter.traces()[0]!.spans[1]!;
    expect(span.usage).toEqual({
      inputTokens: 100,
      outputTokens: 10,
      totalTokens: 110,
      cachedInputTokens: 40,
    });
    expect(span.cost).toBeCloseTo(0.0003, 12);
  });

  it('prices spans whose model and usage arrive by update() before they end, as bridged spans do', async () => {
    const { exporter, tracer } = setup();
    await tracer.trace('generate', (trace) => {
      // What the OpenTelemetry bridge does with an AI SDK doGenerate span at its end.
      const s = trace.startSpan('ai.generateText.doGenerate');
      s.kind = 'llm';
      s.update({ model: 'claude-3-5-haiku-20241022', provider: 'anthropic' });
      s.update({ usage: { inputTokens: 1_000_000, outputTokens: 100_000 } });
      s.end();
      // A span without usage, or without a model, gets no cost.
      trace.startSpan('no-usage', { kind: 'llm', model: 'gpt-4o' }).end();
      trace.startSpan('no-model', { kind: 'llm' }).end({ usage: { inputTokens: 5 } });
    });
    const [, bridged, noUsage, noModel] = exporter.traces()[0]!.spans;
    expect(bridged!.cost).toBeCloseTo(0.8 + 0.4, 9);
    expect(noUsage!.cost).toBeUndefined();
    expect(noModel!.cost).toBeUndefined();
  });

  it('never overrides a cost the user gave, zero included', async () => {
    const { exporter, tracer } = setup();
    await tracer.trace('chat', (trace) => {
      trace
        .startSpan('a', { kind: 'llm', model: 'gpt-4o' })
        .end({ usage: { inputTokens: 100 }, cost: 0 });
      const b = trace.startSpan('b', { kind: 'llm', model: 'gpt-4o' });
      b.update({ cost: 1.5 });
      b.end({ usage: { inputTokens: 100 } });
    });
    const [, a, b] = exporter.traces()[0]!.spans;
    expect(a!.cost).toBe(0);
    expect(b!.cost).toBe(1.5);
  });

  it('uses the tracer prices over the built-in table', async () => {
    const { exporter, tracer } = setup({
      prices: { 'acme-large': { input: 1, output: 2 }, 'gpt-4o': { input: 0, output: 0 } },
    });
    await tracer.trace('chat', (trace) => {
      trace
        .startSpan('a', { kind: 'llm', model: 'acme-large-2025-01-01' })
        .end({ usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 } });
      trace.startSpan('b', { kind: 'llm', model: 'gpt-4o' }).end({ usage: { inputTokens: 5 } });
      trace.startSpan('c', { kind: 'llm', model: 'unknown' }).end({ usage: { inputTokens: 5 } });
    });
    const [, a, b, c] = exporter.traces()[0]!.spans;
    expect(a!.cost).toBe(3);
    expect(b!.cost).toBe(0);
    expect(c!.cost).toBeUndefined();
    expect(c!.usage).toEqual({ inputTokens: 5, totalTokens: 5 });
  });

  it('rejects a malformed price at construction', () => {
    expect(() =>
      createTracer({ serviceName: 's', prices: { x: { input: -1, output: 1 } } }),
    ).toThrow(/prices\['x'\].*per million tokens/);
    expect(() => createTracer({ serviceName: 's', prices: { x: 'cheap' as never } })).toThrow(
      /prices/,
    );
  });
});
