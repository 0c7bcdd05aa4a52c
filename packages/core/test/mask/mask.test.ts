import { createTracer, type Mask, memoryExporter, sensitiveDataMasker } from '@tracewire/core';
import { describe, expect, it } from 'vitest';

function setup(mask: Mask) {
  const exporter = memoryExporter();
  const tracer = createTracer({
    serviceName: 'svc',
    exporter,
    batch: { scheduledDelayMs: 5 },
    mask,
  });
  return { exporter, tracer };
}

describe('mask', () => {
  it('sees IO as values, attributes and log fields, and can redact or drop each', async () => {
    const seen: string[] = [];
    const { exporter, tracer } = setup((value, field) => {
      seen.push(`${field.kind}:${field.key ?? ''}`);
      if (field.key === 'drop.me') return undefined;
      if (field.kind === 'input') return { ...(value as object), secret: '***' };
      if (field.kind === 'output') return undefined;
      return typeof value === 'string' ? value.replace('alice', 'A.') : value;
    });
    await tracer.trace({ name: 'chat', attributes: { who: 'alice' } }, (trace) => {
      const s = trace.startSpan('llm', {
        attributes: { user: 'alice', 'drop.me': 'x', n: 3 },
        input: { prompt: 'hi', secret: 'pw' },
      });
      s.setOutput('bye alice');
      trace.log.info('hello alice', { user: 'alice', 'drop.me': 1 });
      s.end();
    });
    const trace = exporter.traces()[0]!;
    const span = trace.spans[1]!;
    expect(span.attributes).toEqual({ user: 'A.', n: 3 });
    expect(JSON.parse(span.input!)).toEqual({ prompt: 'hi', secret: '***' });
    expect(span.output).toBeUndefined();
    expect(trace.attributes).toEqual({ who: 'A.' });
    expect(trace.logs[0]).toMatchObject({ message: 'hello A.', attributes: { user: 'A.' } });
    expect(seen).toContain('log:message');
    expect(seen).toContain('input:');
  });

  it('masks error messages and standalone logs', async () => {
    const { exporter, tracer } = setup((value) =>
      typeof value === 'string' ? value.replaceAll('4111', '####') : value,
    );
    await tracer
      .trace('pay', () => {
        throw new Error('card 4111 declined');
      })
      .catch(() => {});
    tracer.log.warn('card 4111 retried', { card: '4111' });
    await tracer.flush();
    const span = exporter.traces()[0]!.spans[0]!;
    expect(span.error!.message).toBe('card #### declined');
    expect(span.statusMessage).toBe('card #### declined');
    expect(span.error!.stack).not.toContain('4111');
    expect(exporter.logs()[0]).toMatchObject({
      message: 'card #### retried',
      attributes: { card: '####' },
    });
  });

  it('a throwing mask never reaches the app: the value is replaced and counted', async () => {
    const { exporter, tracer } = setup((value, field) => {
      if (field.key === 'bad') throw new Error('mask bug');
      return value;
    });
    await tracer.trace('t', (trace) => {
      trace.rootSpan.setAttributes({ bad: 'secret', good: 'fine' });
    });
    expect(exporter.traces()[0]!.spans[0]!.attributes).toEqual({
      bad: '[mask failed]',
      good: 'fine',
    });
    expect(tracer.stats().maskErrors).toBe(1);
  });

  it('applies to record() events and does not touch the live span', async () => {
    const { exporter, tracer } = setup((value) =>
      typeof value === 'string' ? value.toUpperCase() : value,
    );
    await tracer.record({ name: 'e', input: 'quiet', attributes: { a: 'b' } });
    let live: Record<string, unknown> = {};
    await tracer.trace('t', (trace) => {
      trace.rootSpan.setAttributes({ a: 'b' });
      live = trace.rootSpan.attributes;
    });
    await tracer.flush();
    const [recorded, traced] = exporter.traces();
    expect(recorded!.spans[0]!.input).toBe('"QUIET"');
    expect(recorded!.spans[0]!.attributes).toEqual({ a: 'B' });
    expect(traced!.spans[0]!.attributes).toEqual({ a: 'B' });
    expect(live).toEqual({ a: 'b' });
  });

  it('must be a function', () => {
    expect(() => createTracer({ serviceName: 's', mask: 'emails' as never })).toThrow(
      /option "mask" must be a function/,
    );
  });
});

describe('sensitiveDataMasker', () => {
  const mask = sensitiveDataMasker();
  const io = (value: unknown) => mask(value, { kind: 'input' });

  it('redacts emails, Luhn-valid card numbers and API-key-shaped strings', () => {
    expect(io('mail jane.doe+x@example.co.uk now')).toBe('mail [EMAIL] now');
    expect(io('card 4111 1111 1111 1111 ok')).toBe('card [CARD] ok');
    expect(io('card 4111-1111-1111-1111')).toBe('card [CARD]');
    expect(io('order 4111 1111 1111 1112')).toBe('order 4111 1111 1111 1112');
    expect(io('key sk-proj-abcdefghijklmnopqrstuvwxyz012345')).toBe('key [API_KEY]');
    expect(io('sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA')).toBe('[API_KEY]');
    expect(io('AKIAIOSFODNN7EXAMPLE')).toBe('[API_KEY]');
    expect(io(`ghp_${'a'.repeat(36)}`)).toBe('[API_KEY]');
    expect(io('Authorization: Bearer abcdefghijklmnopqrstuvwx')).toBe('Authorization: [API_KEY]');
    expect(io('phone 2025-01-31 and id 12345')).toBe('phone 2025-01-31 and id 12345');
  });

  it('walks nested IO and redacts secret-named keys without touching token counts', () => {
    expect(
      io({
        messages: [{ role: 'user', content: 'I am jane@example.com' }],
        password: 'hunter2',
        usage: { prompt_tokens: 12 },
        max_tokens: 100,
      }),
    ).toEqual({
      messages: [{ role: 'user', content: 'I am [EMAIL]' }],
      password: '[REDACTED]',
      usage: { prompt_tokens: 12 },
      max_tokens: 100,
    });
    expect(mask('abc', { kind: 'attribute', key: 'http.request.header.x-auth-token' })).toBe(
      '[REDACTED]',
    );
    expect(mask(17, { kind: 'attribute', key: 'gen_ai.usage.input_tokens' })).toBe(17);
  });

  it('can be narrowed and extended', () => {
    const custom = sensitiveDataMasker({ emails: false, patterns: [/EMP-\d+/] });
    expect(custom('jane@example.com EMP-123', { kind: 'log', key: 'message' })).toBe(
      'jane@example.com [REDACTED]',
    );
  });

  it('survives cycles', () => {
    const cyclic: Record<string, unknown> = { email: 'a@b.io' };
    cyclic.self = cyclic;
    expect(() => io(cyclic)).not.toThrow();
  });
});
