import { otlpExporter, toOtlpLogs, toOtlpTraces } from '@tracewire/otlp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from './helpers/collector';
import { isolateOtelEnv } from './helpers/env';
import {
  LINKED_SPAN_ID,
  LINKED_TRACE_ID,
  LLM_ID,
  REMOTE_PARENT_ID,
  ROOT_ID,
  richTrace,
  standaloneLogs,
  TRACE_ID,
} from './helpers/fixtures';

isolateOtelEnv();

let collector: Collector;
beforeEach(async () => {
  collector = await startCollector();
});
afterEach(async () => {
  await collector.close();
});

/** Every value under `key` anywhere in a parsed JSON document. */
function collect(node: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const item of node) collect(item, key, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) out.push(v);
      collect(v, key, out);
    }
  }
  return out;
}

describe('OTLP/JSON (http/json)', () => {
  it('posts spec-shaped JSON: hex ids, integer enums, int64 as decimal strings', async () => {
    const exporter = otlpExporter({ url: collector.url, protocol: 'http/json' });
    const result = await exporter.export(
      { traces: [richTrace()], logs: standaloneLogs() },
      new AbortController().signal,
    );
    expect(result).toEqual({ ok: true });
    const [traces, logs] = collector.requests;
    expect(traces!.path).toBe('/v1/traces');
    expect(traces!.headers['content-type']).toBe('application/json');
    expect(logs!.path).toBe('/v1/logs');
    const body = JSON.parse(traces!.body.toString('utf8'));

    const spans = body.resourceSpans[0].scopeSpans[0].spans;
    const root = spans.find((s: any) => s.spanId === ROOT_ID);
    expect(root.traceId).toBe(TRACE_ID);
    expect(root.parentSpanId).toBe(REMOTE_PARENT_ID);
    expect(root.kind).toBe(2);
    expect(root.status).toEqual({ code: 2, message: 'card declined' });
    expect(root.startTimeUnixNano).toBe('1732000000123456000');
    expect(root.endTimeUnixNano).toBe('1732000002000750000');
    expect(root.links[0]).toMatchObject({ traceId: LINKED_TRACE_ID, spanId: LINKED_SPAN_ID });
    expect(spans.find((s: any) => s.spanId === LLM_ID).parentSpanId).toBe(ROOT_ID);

    for (const id of collect(body, 'traceId')) expect(id).toMatch(/^[0-9a-f]{32}$/);
    for (const id of [...collect(body, 'spanId'), ...collect(body, 'parentSpanId')]) {
      expect(id).toMatch(/^[0-9a-f]{16}$/);
    }
    for (const kind of collect(body, 'kind')) expect(Number.isInteger(kind)).toBe(true);
    for (const code of collect(body, 'code')) expect(Number.isInteger(code)).toBe(true);
    for (const nanos of [
      ...collect(body, 'startTimeUnixNano'),
      ...collect(body, 'endTimeUnixNano'),
      ...collect(body, 'timeUnixNano'),
    ]) {
      expect(nanos).toMatch(/^\d{19}$/);
    }
    const ints = collect(body, 'intValue');
    expect(ints.length).toBeGreaterThan(0);
    for (const int of ints) expect(int).toMatch(/^-?\d+$/);
    expect(collect(body, 'doubleValue')).toContain(0.25);
    // lowerCamelCase keys only, as the OTLP/JSON rules require.
    expect(JSON.stringify(body)).not.toMatch(/"[a-z]+_[a-z_]+":/);

    expect(body).toEqual(JSON.parse(JSON.stringify(toOtlpTraces([richTrace()]))));

    const logsBody = JSON.parse(logs!.body.toString('utf8'));
    const records = logsBody.resourceLogs[0].scopeLogs[0].logRecords;
    expect(records[0]).toMatchObject({
      traceId: TRACE_ID,
      spanId: ROOT_ID,
      severityNumber: 13,
      severityText: 'WARN',
      body: { stringValue: 'retrying payment' },
      timeUnixNano: '1732000000150500000',
    });
    expect(records[1]).toMatchObject({ severityNumber: 9, eventName: 'user.signup' });
  });

  it('toOtlpLogs groups by service and keeps the given resource attributes', () => {
    const request = toOtlpLogs(standaloneLogs(), { 'host.name': 'web-1', 'service.name': 'x' });
    expect(request.resourceLogs).toHaveLength(2);
    const attrs = request.resourceLogs[1]!.resource.attributes;
    expect(attrs).toContainEqual({ key: 'host.name', value: { stringValue: 'web-1' } });
    // The service comes from the data, not from the extra resource attributes.
    expect(attrs).toContainEqual({ key: 'service.name', value: { stringValue: 'billing' } });
    expect(attrs.filter((kv) => kv.key === 'service.name')).toHaveLength(1);
  });

  it('turns mixed arrays into strings and non-finite numbers into proto3 JSON strings', () => {
    const trace = richTrace();
    trace.spans[0]!.attributes = { mixed: [1, 'a', true], nan: Number.NaN, big: 2 ** 60 };
    const root = toOtlpTraces([trace]).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    const value = (key: string) => root.attributes.find((kv) => kv.key === key)?.value;
    expect(value('mixed')).toEqual({
      arrayValue: { values: [{ stringValue: '1' }, { stringValue: 'a' }, { stringValue: 'true' }] },
    });
    expect(value('nan')).toEqual({ doubleValue: 'NaN' });
    // Beyond 2^53 a JS number is no longer an exact integer: send it as a double.
    expect(value('big')).toEqual({ doubleValue: 2 ** 60 });
  });
});
