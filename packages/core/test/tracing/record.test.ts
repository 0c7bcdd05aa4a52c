import { createTracer, memoryExporter } from '@tracewire/core';
import { describe, expect, it } from 'vitest';

function setup() {
  const exporter = memoryExporter();
  const tracer = createTracer({ serviceName: 'svc', exporter, batch: { scheduledDelayMs: 5 } });
  return { exporter, tracer };
}

describe('tracer.record(event)', () => {
  const start = Date.parse('2025-01-31T12:00:00.000Z');

  it.each([
    ['epoch ms', start, start + 1500],
    ['Date', new Date(start), new Date(start + 1500)],
    ['ISO string', '2025-01-31T12:00:00.000Z', '2025-01-31T12:00:01.500Z'],
    ['ISO string with offset', '2025-01-31T13:00:00+01:00', '2025-01-31T13:00:01.5+01:00'],
  ])('accepts %s times and exports epoch ms with the duration derived', async (_, from, to) => {
    const { exporter, tracer } = setup();
    const ids = await tracer.record({ name: 'e', startTime: from, endTime: to });
    await tracer.flush();
    const trace = exporter.traces()[0]!;
    const span = trace.spans[0]!;
    expect(ids).toEqual({ traceId: trace.id, spanId: span.spanId });
    expect(span.startTime).toBe(start);
    expect(span.endTime).toBe(start + 1500);
    expect(span.durationMs).toBe(1500);
    expect(trace.durationMs).toBe(1500);
  });

  it('derives the end from a start and a duration', async () => {
    const { exporter, tracer } = setup();
    await tracer.record({ name: 'e', startTime: new Date(start), durationMs: 250 });
    await tracer.flush();
    expect(exporter.traces()[0]!.spans[0]).toMatchObject({
      startTime: start,
      endTime: start + 250,
      durationMs: 250,
    });
  });

  it.each([
    ['a date-like string', { startTime: 'yesterday' }, /startTime must be epoch milliseconds/],
    ['an invalid Date', { endTime: new Date('nope') }, /endTime .*an invalid Date/],
    ['NaN', { startTime: Number.NaN }, /startTime/],
    ['an object', { startTime: {} as never }, /startTime .*a object/],
    ['a negative duration', { durationMs: -5 }, /durationMs/],
    ['an end before the start', { startTime: start, endTime: start - 1 }, /before startTime/],
  ])('rejects %s with a clear error and sends nothing', async (_, fields, message) => {
    const { exporter, tracer } = setup();
    await expect(tracer.record({ name: 'e', ...fields })).rejects.toThrow(message);
    await tracer.flush();
    expect(exporter.traces()).toHaveLength(0);
  });

  it("accepts the seed's snake_case usage keys, derives totals and prices the call", async () => {
    const { exporter, tracer } = setup();
    await tracer.record({
      name: 'openai.chat',
      kind: 'llm',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { input_tokens: 1000, output_tokens: 200 },
    });
    await tracer.record({
      name: 'openai.chat',
      kind: 'llm',
      model: 'gpt-4o-mini',
      usage: { prompt_tokens: 10, completion_tokens: 5 },
      cost: 0.5,
    });
    await tracer.flush();
    const [a, b] = exporter.traces().map((t) => t.spans[0]!);
    expect(a!.usage).toEqual({ inputTokens: 1000, outputTokens: 200, totalTokens: 1200 });
    expect(a!.cost).toBeCloseTo(0.00027, 12);
    expect(b!.usage).toEqual({ inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    expect(b!.cost).toBe(0.5);
  });

  it('resolves to ids even when nothing records', async () => {
    const tracer = createTracer({ serviceName: 'svc' });
    const ids = await tracer.record({ name: 'e' });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ids.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps given ids', async () => {
    const { tracer } = setup();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const ids = await tracer.record({ name: 'e', traceId, spanId: 'b7ad6b7169203331' });
    expect(ids).toEqual({ traceId, spanId: 'b7ad6b7169203331' });
  });
});
