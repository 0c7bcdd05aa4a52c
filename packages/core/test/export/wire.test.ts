import { describe, expect, it } from 'vitest';
import { wireTrace } from '../../src/export/internal/wire';
import { memoryExporter } from '../../src/export/memory-exporter';
import { createTracer } from '../../src/tracer';
import type { SpanData, TraceData } from '../../src/types';

/** What a collector does with the compact form: puts back every derived field, by the documented rules. */
function expand(wire: Record<string, unknown>, sdk: TraceData['sdk']): TraceData {
  const spans = (wire.spans as Record<string, unknown>[]).map((raw) => {
    const span = { ...raw, traceId: wire.id } as unknown as SpanData;
    span.attributes ??= {};
    span.durationMs = span.endTime - span.startTime;
    return span;
  });
  const root = spans.find((span) => span.spanId === wire.rootSpanId)!;
  return {
    schemaVersion: 1,
    sdk,
    name: root.name,
    status: root.status,
    startTime: root.startTime,
    endTime: root.endTime,
    durationMs: root.durationMs,
    tags: [],
    attributes: {},
    logs: [],
    dropped: {
      spans: 0,
      attributes: 0,
      truncatedAttributes: 0,
      events: 0,
      logs: 0,
      truncatedIo: 0,
    },
    ...wire,
    spans,
  } as unknown as TraceData;
}

async function finished(
  build: (tracer: ReturnType<typeof createTracer>) => void,
): Promise<TraceData> {
  const memory = memoryExporter();
  const tracer = createTracer({ serviceName: 'wire', exporter: memory, context: false });
  build(tracer);
  await tracer.flush();
  return memory.traces()[0]!;
}

describe('the compact wire form', () => {
  it('leaves out only what a collector derives: a fully populated trace expands back to itself', async () => {
    const full = await finished((tracer) => {
      const trace = tracer.startTrace({
        name: 'checkout',
        environment: 'prod',
        sessionId: 's-1',
        userId: 'u-1',
        referenceId: 'r-1',
        tags: ['beta'],
        attributes: { tenant: 'acme' },
        parent: {
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          spanId: '00f067aa0ba902b7',
          sampled: true,
          random: false,
        },
        spanAttributes: { 'http.route': '/pay' },
      });
      const llm = trace.startSpan('llm', {
        model: 'gpt-x',
        provider: 'openai',
        tags: ['llm'],
        input: 'hi',
      });
      llm.addEvent('token', { n: 1 });
      llm.addSignal('relevance', 0.5);
      llm.addLink({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' });
      llm.end({ output: { text: 'yo' }, usage: { inputTokens: 3, outputTokens: 4 }, cost: 0.01 });
      trace.startSpan('db').setError(new Error('boom'));
      trace.log.info('paid', { amount: 3 });
      trace.dropped.spans = 2;
      trace.end({ status: 'error' });
    });
    const wire = wireTrace(full);
    expect(wire).not.toHaveProperty('durationMs');
    expect(wire).not.toHaveProperty('name');
    expect((wire.spans as object[])[0]).not.toHaveProperty('traceId');
    expect(expand(JSON.parse(JSON.stringify(wire)), full.sdk)).toEqual(
      JSON.parse(JSON.stringify(full)),
    );
  });

  it('is about a third smaller for a plain two-span request trace', async () => {
    const plain = await finished((tracer) => {
      const trace = tracer.startTrace({
        name: 'GET /users/:id',
        kind: 'server',
        spanAttributes: { 'http.request.method': 'GET', 'url.path': '/users/7' },
      });
      trace.startSpan('db.lookup').end();
      trace.end();
    });
    const wire = wireTrace(plain);
    expect(wire).not.toHaveProperty('tags');
    expect(wire).not.toHaveProperty('dropped');
    expect((wire.spans as object[])[1]).not.toHaveProperty('attributes');
    expect(expand(JSON.parse(JSON.stringify(wire)), plain.sdk)).toEqual(
      JSON.parse(JSON.stringify(plain)),
    );
    expect(JSON.stringify(wire).length).toBeLessThan(JSON.stringify(plain).length * 0.7);
  });
});
