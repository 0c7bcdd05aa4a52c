import { otlpExporter } from '@tracewire/otlp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Collector, startCollector } from './helpers/collector';
import { isolateOtelEnv } from './helpers/env';
import { richTrace } from './helpers/fixtures';

// As on Cloudflare Workers: protobufjs compiles its encoders with `new Function`,
// which workerd refuses with this EvalError.
const encoding = vi.hoisted(() => ({
  failure: new EvalError('Code generation from strings disallowed for this context') as Error,
}));
vi.mock('../src/internal/protobuf', async (original) => {
  const actual = await original<typeof import('../src/internal/protobuf')>();
  const refuse = () => {
    throw encoding.failure;
  };
  return { ...actual, encodeTraces: refuse, encodeLogs: refuse };
});

isolateOtelEnv();

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

describe('a runtime that forbids code generation', () => {
  it('sends OTLP/JSON instead of protobuf, from the first batch on', async () => {
    collector = await startCollector(() => ({ status: 200 }));
    const exporter = otlpExporter({ url: collector.url });
    const signal = new AbortController().signal;
    expect(await exporter.export({ traces: [richTrace()], logs: [] }, signal)).toEqual({
      ok: true,
    });
    expect(await exporter.export({ traces: [richTrace()], logs: [] }, signal)).toEqual({
      ok: true,
    });
    // Each batch: its traces, then the logs correlated to them.
    expect(collector.requests.map((r) => r.path)).toEqual([
      '/v1/traces',
      '/v1/logs',
      '/v1/traces',
      '/v1/logs',
    ]);
    for (const request of collector.requests) {
      expect(request.headers['content-type']).toBe('application/json');
      const body = JSON.parse(request.body.toString('utf8'));
      const records =
        request.path === '/v1/traces'
          ? body.resourceSpans[0].scopeSpans[0].spans
          : body.resourceLogs[0].scopeLogs[0].logRecords;
      expect(records.length).toBeGreaterThan(0);
    }
  });

  it('still fails a batch on any other encoding error, and keeps protobuf', async () => {
    encoding.failure = new RangeError('index out of range');
    collector = await startCollector(() => ({ status: 200 }));
    const exporter = otlpExporter({ url: collector.url });
    const result = await exporter.export(
      { traces: [richTrace()], logs: [] },
      new AbortController().signal,
    );
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(collector.requests).toHaveLength(0);
  });
});
