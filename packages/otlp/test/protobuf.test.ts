import { otlpExporter } from '@tracewire/otlp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from './helpers/collector';
import { isolateOtelEnv } from './helpers/env';
import {
  billingTrace,
  CLIENT_ID,
  JOB_ID,
  LINKED_SPAN_ID,
  LINKED_TRACE_ID,
  LLM_ID,
  REMOTE_PARENT_ID,
  ROOT_ID,
  richTrace,
  standaloneLogs,
  TRACE_ID,
} from './helpers/fixtures';
import { attr, decodeLogs, decodeTraces, hex } from './helpers/official-proto';

isolateOtelEnv();

let collector: Collector;
beforeEach(async () => {
  collector = await startCollector();
});
afterEach(async () => {
  await collector.close();
});

async function exportRich() {
  const exporter = otlpExporter({ url: collector.url, resource: { 'service.version': '1.4.2' } });
  const result = await exporter.export(
    { traces: [richTrace(), billingTrace()], logs: standaloneLogs() },
    new AbortController().signal,
  );
  expect(result).toEqual({ ok: true });
  expect(collector.requests.map((r) => [r.method, r.path, r.headers['content-type']])).toEqual([
    ['POST', '/v1/traces', 'application/x-protobuf'],
    ['POST', '/v1/logs', 'application/x-protobuf'],
  ]);
  return {
    traces: decodeTraces(collector.requests[0]!.body),
    logs: decodeLogs(collector.requests[1]!.body),
  };
}

function spanById(request: any, id: string): any {
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) if (hex(span.spanId) === id) return span;
    }
  }
  throw new Error(`span ${id} not found`);
}

describe('protobuf traces, decoded with OpenTelemetry generated code', () => {
  it('groups by service and writes the resource and scope', async () => {
    const { traces } = await exportRich();
    expect(traces.resourceSpans).toHaveLength(2);
    const [checkout, billing] = traces.resourceSpans;
    expect(checkout.resource.attributes).toEqual([
      { key: 'service.version', value: { stringValue: '1.4.2' } },
      { key: 'service.name', value: { stringValue: 'checkout' } },
      { key: 'deployment.environment.name', value: { stringValue: 'staging' } },
      { key: 'telemetry.sdk.name', value: { stringValue: 'tracewire' } },
      { key: 'telemetry.sdk.language', value: { stringValue: 'nodejs' } },
      { key: 'telemetry.sdk.version', value: { stringValue: '0.1.0' } },
    ]);
    expect(attr(billing.resource.attributes, 'service.name')).toEqual({ stringValue: 'billing' });
    expect(attr(billing.resource.attributes, 'deployment.environment.name')).toBeUndefined();
    expect(checkout.scopeSpans).toHaveLength(1);
    expect(checkout.scopeSpans[0].scope).toEqual({ name: '@tracewire/core', version: '0.1.0' });
    expect(checkout.scopeSpans[0].spans).toHaveLength(7);
    expect(billing.scopeSpans[0].spans.map((s: any) => s.name)).toEqual(['charge']);
  });

  it('encodes ids as bytes, the remote parent on the root, and span flags', async () => {
    const { traces } = await exportRich();
    const root = spanById(traces, ROOT_ID);
    expect(hex(root.traceId)).toBe(TRACE_ID);
    expect(root.traceId).toHaveLength(16);
    expect(root.spanId).toHaveLength(8);
    expect(hex(root.parentSpanId)).toBe(REMOTE_PARENT_ID);
    // sampled | context-has-is-remote | is-remote
    expect(root.flags).toBe(0x301);
    const llm = spanById(traces, LLM_ID);
    expect(hex(llm.parentSpanId)).toBe(ROOT_ID);
    expect(llm.flags).toBe(0x101);
    const billingRoot = traces.resourceSpans[1].scopeSpans[0].spans[0];
    expect(billingRoot.parentSpanId).toBeUndefined();
  });

  it('maps kinds, keeping tracewire-only kinds as an attribute', async () => {
    const { traces } = await exportRich();
    const kinds = traces.resourceSpans[0].scopeSpans[0].spans.map((s: any) => [
      s.name,
      s.kind,
      attr(s.attributes, 'tracewire.span.kind')?.stringValue,
    ]);
    expect(kinds).toEqual([
      ['POST /checkout', 2, undefined],
      ['chat gpt-4o', 1, 'llm'],
      ['GET payments', 3, undefined],
      ['reindex', 1, 'job'],
      ['publish', 4, undefined],
      ['receive', 5, undefined],
      ['compute', 1, undefined],
    ]);
  });

  it('writes exact nanosecond timestamps', async () => {
    const { traces } = await exportRich();
    const root = spanById(traces, ROOT_ID);
    expect(root.startTimeUnixNano).toBe('1732000000123456000');
    expect(root.endTimeUnixNano).toBe('1732000002000750000');
    const llm = spanById(traces, LLM_ID);
    expect(llm.startTimeUnixNano).toBe('1732000000200001000');
    expect(llm.endTimeUnixNano).toBe('1732000001250999000');
    expect(root.events[0].timeUnixNano).toBe('1732000000150500000');
  });

  it('maps status codes and messages', async () => {
    const { traces } = await exportRich();
    expect(spanById(traces, ROOT_ID).status).toEqual({ code: 2, message: 'card declined' });
    expect(spanById(traces, LLM_ID).status).toEqual({ code: 1 });
    const client = spanById(traces, CLIENT_ID);
    expect(client.status.code ?? 0).toBe(0);
    expect(attr(client.attributes, 'tracewire.status')).toEqual({ stringValue: 'aborted' });
    const job = spanById(traces, JOB_ID);
    expect(job.status.code ?? 0).toBe(0);
    expect(attr(job.attributes, 'tracewire.status')).toEqual({ stringValue: 'cancelled' });
  });

  it('keeps attribute types apart and drops empty values', async () => {
    const { traces } = await exportRich();
    const { attributes } = spanById(traces, ROOT_ID);
    expect(attr(attributes, 'http.request.method')).toEqual({ stringValue: 'POST' });
    expect(attr(attributes, 'http.response.status_code')).toEqual({ intValue: '502' });
    expect(attr(attributes, 'retry.ratio')).toEqual({ doubleValue: 0.25 });
    expect(attr(attributes, 'cache.hit')).toEqual({ boolValue: false });
    expect(attr(attributes, 'feature.flags')).toEqual({
      arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] },
    });
    expect(attr(attributes, 'shard.ids')).toEqual({
      arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }, { intValue: '3' }] },
    });
    expect(attr(attributes, 'weights')).toEqual({
      arrayValue: { values: [{ doubleValue: 0.5 }, { doubleValue: 1 }] },
    });
    const keys = attributes.map((kv: any) => kv.key);
    expect(keys).not.toContain('gone.null');
    expect(keys).not.toContain('gone.undefined');
    expect(new Set(keys).size).toBe(keys.length);
    expect(spanById(traces, ROOT_ID).droppedAttributesCount).toBe(2);
    expect(spanById(traces, ROOT_ID).droppedEventsCount).toBe(1);
  });

  it('puts trace fields on the root span, the root’s own attributes winning', async () => {
    const { traces } = await exportRich();
    const { attributes } = spanById(traces, ROOT_ID);
    expect(attr(attributes, 'session.id')).toEqual({ stringValue: 'sess-1' });
    expect(attr(attributes, 'user.id')).toEqual({ stringValue: 'user-42' });
    expect(attr(attributes, 'tracewire.reference_id')).toEqual({ stringValue: 'order-7' });
    expect(attr(attributes, 'tracewire.trace.tags')).toEqual({
      arrayValue: { values: [{ stringValue: 'beta' }] },
    });
    expect(attr(attributes, 'tenant.id')).toEqual({ stringValue: 'acme' });
    expect(attr(attributes, 'http.route')).toEqual({ stringValue: '/checkout' });
    expect(attr(attributes, 'tracewire.tags')).toEqual({
      arrayValue: { values: [{ stringValue: 'api' }] },
    });
    expect(attr(attributes, 'tracewire.input')).toEqual({ stringValue: '{"cart":1}' });
    expect(attr(attributes, 'tracewire.signal.latency_ok')).toEqual({ boolValue: false });
    expect(attr(attributes, 'tracewire.trace.dropped.attributes')).toEqual({ intValue: '2' });
    // Trace fields belong to the root only.
    expect(attr(spanById(traces, LLM_ID).attributes, 'session.id')).toBeUndefined();
    expect(attr(spanById(traces, LLM_ID).attributes, 'tenant.id')).toBeUndefined();
  });

  it('writes events, the error as a semconv exception event, and links', async () => {
    const { traces } = await exportRich();
    const root = spanById(traces, ROOT_ID);
    expect(root.events).toHaveLength(2);
    expect(root.events[0]).toEqual({
      timeUnixNano: '1732000000150500000',
      name: 'cart.validated',
      attributes: [{ key: 'items', value: { intValue: '3' } }],
    });
    expect(root.events[1].name).toBe('exception');
    expect(root.events[1].timeUnixNano).toBe('1732000002000750000');
    expect(root.events[1].attributes).toEqual([
      { key: 'exception.type', value: { stringValue: 'PaymentError' } },
      { key: 'exception.message', value: { stringValue: 'card declined' } },
      {
        key: 'exception.stacktrace',
        value: { stringValue: 'PaymentError: card declined\n    at pay (pay.ts:1:1)' },
      },
    ]);
    expect(root.links).toHaveLength(1);
    expect(hex(root.links[0].traceId)).toBe(LINKED_TRACE_ID);
    expect(hex(root.links[0].spanId)).toBe(LINKED_SPAN_ID);
    expect(root.links[0].attributes).toEqual([
      { key: 'link.kind', value: { stringValue: 'follows' } },
    ]);
  });

  it('writes gen_ai attributes on an llm span', async () => {
    const { traces } = await exportRich();
    const { attributes } = spanById(traces, LLM_ID);
    expect(attr(attributes, 'gen_ai.operation.name')).toEqual({ stringValue: 'chat' });
    expect(attr(attributes, 'gen_ai.request.model')).toEqual({ stringValue: 'gpt-4o' });
    expect(attr(attributes, 'gen_ai.provider.name')).toEqual({ stringValue: 'openai' });
    expect(attr(attributes, 'gen_ai.system')).toEqual({ stringValue: 'openai' });
    expect(attr(attributes, 'gen_ai.usage.input_tokens')).toEqual({ intValue: '120' });
    expect(attr(attributes, 'gen_ai.usage.output_tokens')).toEqual({ intValue: '30' });
    expect(attr(attributes, 'tracewire.llm.total_tokens')).toBeUndefined();
    expect(attr(attributes, 'tracewire.llm.cost')).toEqual({ doubleValue: 0.0042 });
    expect(attr(attributes, 'tracewire.input')).toEqual({
      stringValue: '[{"role":"user","content":"hi"}]',
    });
    expect(attr(attributes, 'tracewire.output')).toEqual({ stringValue: '"hello"' });
    expect(attr(attributes, 'tracewire.signal.quality')).toEqual({ doubleValue: 0.9 });
    // A plain client span gets no gen_ai attributes.
    const client = spanById(traces, CLIENT_ID);
    expect(client.attributes.some((kv: any) => kv.key.startsWith('gen_ai.'))).toBe(false);
  });
});

describe('protobuf logs, decoded with OpenTelemetry generated code', () => {
  it('sends trace logs and standalone logs with severity, body, ids and event names', async () => {
    const { logs } = await exportRich();
    expect(logs.resourceLogs).toHaveLength(2);
    const [checkout, billing] = logs.resourceLogs;
    expect(attr(checkout.resource.attributes, 'service.name')).toEqual({ stringValue: 'checkout' });
    expect(attr(checkout.resource.attributes, 'telemetry.sdk.version')).toEqual({
      stringValue: '0.1.0',
    });
    expect(checkout.scopeLogs[0].scope).toEqual({ name: '@tracewire/core', version: '0.1.0' });

    const [correlated, analytics] = checkout.scopeLogs[0].logRecords;
    expect(correlated.severityNumber).toBe(13);
    expect(correlated.severityText).toBe('WARN');
    expect(correlated.body).toEqual({ stringValue: 'retrying payment' });
    expect(correlated.timeUnixNano).toBe('1732000000150500000');
    expect(hex(correlated.traceId)).toBe(TRACE_ID);
    expect(hex(correlated.spanId)).toBe(ROOT_ID);
    expect(correlated.flags).toBe(1);
    expect(correlated.attributes).toEqual([{ key: 'attempt', value: { intValue: '2' } }]);

    expect(analytics.severityNumber).toBe(9);
    expect(analytics.severityText).toBe('INFO');
    expect(analytics.traceId).toBeUndefined();
    expect(analytics.eventName).toBe('user.signup');
    expect(attr(analytics.attributes, 'event.name')).toEqual({ stringValue: 'user.signup' });
    expect(attr(analytics.attributes, 'tracewire.log.type')).toEqual({ stringValue: 'analytics' });
    expect(attr(analytics.attributes, 'user.id')).toEqual({ stringValue: 'user-42' });
    expect(attr(analytics.attributes, 'session.id')).toEqual({ stringValue: 'sess-1' });
    expect(attr(analytics.attributes, 'plan')).toEqual({ stringValue: 'pro' });

    expect(attr(billing.resource.attributes, 'service.name')).toEqual({ stringValue: 'billing' });
    expect(
      billing.scopeLogs[0].logRecords.map((r: any) => [r.severityNumber, r.severityText, r.body]),
    ).toEqual([
      [5, 'DEBUG', { stringValue: 'cache warm' }],
      [17, 'ERROR', { stringValue: 'disk full' }],
    ]);
  });
});
