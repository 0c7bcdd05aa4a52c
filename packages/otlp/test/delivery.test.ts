import type { ExportBatch, ExportResult } from '@tracewire/core';
import { otlpExporter } from '@tracewire/otlp';
import { afterEach, describe, expect, it } from 'vitest';
import { type Collector, type Reply, startCollector } from './helpers/collector';
import { isolateOtelEnv } from './helpers/env';
import { richTrace, standaloneLogs } from './helpers/fixtures';
import { decodeTraces } from './helpers/official-proto';

isolateOtelEnv();

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

async function collectorAnswering(
  reply: (path: string, index: number) => Reply,
): Promise<Collector> {
  collector = await startCollector((request, index) => reply(request.path, index));
  return collector;
}

const signal = () => new AbortController().signal;
const batch = (): ExportBatch => ({ traces: [richTrace()], logs: standaloneLogs() });

function failure(result: ExportResult) {
  if (result.ok) throw new Error('expected a failed export');
  return result;
}

describe('outcomes', () => {
  it('reports 500 as retryable and 400 as not retryable', async () => {
    const server = await collectorAnswering((_path, index) => ({
      status: index === 0 ? 500 : 400,
    }));
    const exporter = otlpExporter({ url: server.url });
    const first = failure(await exporter.export({ traces: [richTrace()], logs: [] }, signal()));
    expect(first.retryable).toBe(true);
    expect(first.error.message).toMatch(/^OTLP traces: .*127\.0\.0\.1:\d+\/v1\/traces.*500/);
    // core's pipeline reads these tags to report the precise problem.
    expect(first.error).toMatchObject({ kind: 'http-status', status: 500 });
    const second = failure(await exporter.export({ traces: [richTrace()], logs: [] }, signal()));
    expect(second.retryable).toBe(false);
    expect(second.error.message).toMatch(/400/);
  });

  it('passes Retry-After on as retryAfterMs', async () => {
    const server = await collectorAnswering(() => ({
      status: 429,
      headers: { 'retry-after': '7' },
    }));
    const result = failure(
      await otlpExporter({ url: server.url }).export({ traces: [richTrace()], logs: [] }, signal()),
    );
    expect(result).toMatchObject({ retryable: true, retryAfterMs: 7000 });
  });

  it('times out a hanging collector as a retryable failure', async () => {
    const server = await collectorAnswering(() => 'hang');
    const result = failure(
      await otlpExporter({ url: server.url, timeoutMs: 100 }).export(batch(), signal()),
    );
    expect(result.retryable).toBe(true);
    expect(result.error.message).toMatch(/timed out/);
    // A dead collector costs one request, not one per signal.
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/traces']);
  });

  it('gives up when the pipeline aborts the attempt', async () => {
    const server = await collectorAnswering(() => 'hang');
    const controller = new AbortController();
    const pending = otlpExporter({ url: server.url }).export(batch(), controller.signal);
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error('shutting down'));
    const result = failure(await pending);
    expect(result.retryable).toBe(true);
  });

  it('reports data it cannot encode as a non-retryable serialize problem', async () => {
    const server = await collectorAnswering(() => ({ status: 200 }));
    const broken = { ...richTrace(), spans: undefined as never };
    const result = failure(
      await otlpExporter({ url: server.url }).export(
        { traces: [broken], logs: standaloneLogs() },
        signal(),
      ),
    );
    expect(result.retryable).toBe(false);
    expect(result.error).toMatchObject({ kind: 'serialize' });
    expect(result.error.message).toMatch(/^OTLP traces could not be encoded/);
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/logs']);
  });

  it('sends nothing for an empty batch', async () => {
    const server = await collectorAnswering(() => ({ status: 200 }));
    const result = await otlpExporter({ url: server.url }).export(
      { traces: [], logs: [] },
      signal(),
    );
    expect(result).toEqual({ ok: true });
    expect(server.requests).toHaveLength(0);
  });

  it('sends only logs when a batch has no traces', async () => {
    const server = await collectorAnswering(() => ({ status: 200 }));
    await otlpExporter({ url: server.url }).export(
      { traces: [], logs: standaloneLogs() },
      signal(),
    );
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/logs']);
  });
});

describe('batches with traces and logs', () => {
  it('does not re-send accepted traces when only the logs failed', async () => {
    const server = await collectorAnswering((path, index) =>
      path === '/v1/logs' && index === 1 ? { status: 503 } : { status: 200 },
    );
    const exporter = otlpExporter({ url: server.url });
    const pending = batch();
    const first = failure(await exporter.export(pending, signal()));
    expect(first.retryable).toBe(true);
    expect(first.error.message).toMatch(/^OTLP logs: /);
    const retry = await exporter.export(pending, signal());
    expect(retry).toEqual({ ok: true });
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/traces', '/v1/logs', '/v1/logs']);
    // The memory is per batch object: a new batch is sent in full.
    await exporter.export(batch(), signal());
    expect(server.requests.map((r) => r.path).slice(3)).toEqual(['/v1/traces', '/v1/logs']);
  });

  it('retries everything when the traces failed retryably', async () => {
    const server = await collectorAnswering((_path, index) => ({
      status: index === 0 ? 502 : 200,
    }));
    const exporter = otlpExporter({ url: server.url });
    const pending = batch();
    expect(failure(await exporter.export(pending, signal())).retryable).toBe(true);
    expect(await exporter.export(pending, signal())).toEqual({ ok: true });
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/traces', '/v1/traces', '/v1/logs']);
    const spans = (index: number) =>
      decodeTraces(server.requests[index]!.body).resourceSpans[0].scopeSpans[0].spans.length;
    expect(spans(1)).toBe(spans(0));
  });

  it('still sends logs after traces were rejected, and reports the rejection', async () => {
    const server = await collectorAnswering((path) => ({
      status: path === '/v1/traces' ? 400 : 200,
    }));
    const result = failure(await otlpExporter({ url: server.url }).export(batch(), signal()));
    expect(result.retryable).toBe(false);
    expect(result.error.message).toMatch(/^OTLP traces: .*400/);
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/traces', '/v1/logs']);
  });

  it('reports a rejected signal only after the retryable one has gone through', async () => {
    const server = await collectorAnswering((path, index) => {
      if (path === '/v1/traces') return { status: 400 };
      return { status: index === 1 ? 503 : 200 };
    });
    const exporter = otlpExporter({ url: server.url });
    const pending = batch();
    const first = failure(await exporter.export(pending, signal()));
    expect(first.retryable).toBe(true);
    const second = failure(await exporter.export(pending, signal()));
    expect(second.retryable).toBe(false);
    expect(second.error.message).toMatch(/traces/);
    // The rejected traces were not sent again.
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/traces', '/v1/logs', '/v1/logs']);
  });
});
