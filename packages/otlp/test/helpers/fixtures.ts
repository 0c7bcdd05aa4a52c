import type { LogData, SpanData, TraceData } from '@tracewire/core';

export const TRACE_ID = '0190a1b2c3d4e5f60718293a4b5c6d7e';
export const ROOT_ID = 'a1b2c3d4e5f60718';
export const LLM_ID = 'b1b2c3d4e5f60718';
export const CLIENT_ID = 'c1b2c3d4e5f60718';
export const JOB_ID = 'd1b2c3d4e5f60718';
export const REMOTE_PARENT_ID = 'ffeeddccbbaa9988';
export const LINKED_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const LINKED_SPAN_ID = '00f067aa0ba902b7';

/** Epoch ms with microsecond fractions; their nanosecond strings are written out in the tests. */
export const T0 = 1_732_000_000_123.456;
export const T_LLM_START = 1_732_000_000_200.001;
export const T_LLM_END = 1_732_000_001_250.999;
export const T_EVENT = 1_732_000_000_150.5;
export const T_END = 1_732_000_002_000.75;

function span(fields: Partial<SpanData> & Pick<SpanData, 'spanId' | 'name' | 'kind'>): SpanData {
  const startTime = fields.startTime ?? T0;
  const endTime = fields.endTime ?? T_END;
  return {
    traceId: TRACE_ID,
    parentId: ROOT_ID,
    status: 'unset',
    startTime,
    endTime,
    durationMs: endTime - startTime,
    attributes: {},
    ...fields,
  };
}

/** A trace with every field the mapping cares about. */
export function richTrace(): TraceData {
  const root = span({
    spanId: ROOT_ID,
    parentId: REMOTE_PARENT_ID,
    name: 'POST /checkout',
    kind: 'server',
    status: 'error',
    startTime: T0,
    endTime: T_END,
    attributes: {
      'http.request.method': 'POST',
      'http.route': '/checkout',
      'http.response.status_code': 502,
      'retry.ratio': 0.25,
      'cache.hit': false,
      'feature.flags': ['a', 'b'],
      'shard.ids': [1, 2, 3],
      weights: [0.5, 1],
      'gone.null': null,
      'gone.undefined': undefined,
    },
    tags: ['api'],
    input: '{"cart":1}',
    error: {
      message: 'card declined',
      type: 'PaymentError',
      stack: 'PaymentError: card declined\n    at pay (pay.ts:1:1)',
    },
    signals: [{ name: 'latency_ok', value: false, type: 'boolean', time: T_END }],
    events: [{ name: 'cart.validated', time: T_EVENT, attributes: { items: 3 } }],
    links: [
      { traceId: LINKED_TRACE_ID, spanId: LINKED_SPAN_ID, attributes: { 'link.kind': 'follows' } },
    ],
    droppedAttributes: 2,
    droppedEvents: 1,
  });
  const llm = span({
    spanId: LLM_ID,
    name: 'chat gpt-4o',
    kind: 'llm',
    status: 'ok',
    startTime: T_LLM_START,
    endTime: T_LLM_END,
    model: 'gpt-4o',
    provider: 'openai',
    usage: { inputTokens: 120, outputTokens: 30, totalTokens: 150 },
    cost: 0.0042,
    input: '[{"role":"user","content":"hi"}]',
    output: '"hello"',
    signals: [{ name: 'quality', value: 0.9, type: 'numeric', time: T_LLM_END }],
  });
  const client = span({
    spanId: CLIENT_ID,
    name: 'GET payments',
    kind: 'client',
    status: 'aborted',
  });
  const job = span({ spanId: JOB_ID, name: 'reindex', kind: 'job', status: 'cancelled' });
  const producer = span({ spanId: 'e1b2c3d4e5f60718', name: 'publish', kind: 'producer' });
  const consumer = span({ spanId: 'f1b2c3d4e5f60718', name: 'receive', kind: 'consumer' });
  const internal = span({ spanId: '11b2c3d4e5f60718', name: 'compute', kind: 'internal' });
  return {
    schemaVersion: 1,
    id: TRACE_ID,
    name: 'POST /checkout',
    serviceName: 'checkout',
    environment: 'staging',
    status: 'error',
    startTime: T0,
    endTime: T_END,
    durationMs: T_END - T0,
    rootSpanId: ROOT_ID,
    parentSpanId: REMOTE_PARENT_ID,
    sessionId: 'sess-1',
    userId: 'user-42',
    referenceId: 'order-7',
    tags: ['beta'],
    attributes: { 'tenant.id': 'acme', 'http.route': '/from-trace' },
    spans: [root, llm, client, job, producer, consumer, internal],
    logs: [
      {
        level: 'warn',
        message: 'retrying payment',
        time: T_EVENT,
        traceId: TRACE_ID,
        spanId: ROOT_ID,
        attributes: { attempt: 2 },
        serviceName: 'checkout',
        environment: 'staging',
      },
    ],
    dropped: {
      spans: 0,
      attributes: 2,
      truncatedAttributes: 0,
      events: 1,
      logs: 0,
      truncatedIo: 0,
    },
    sdk: { name: '@tracewire/core', version: '0.1.0' },
  };
}

export function standaloneLogs(): LogData[] {
  return [
    {
      level: 'info',
      message: 'user signed up',
      time: T_LLM_START,
      type: 'analytics',
      eventType: 'user.signup',
      userId: 'user-42',
      sessionId: 'sess-1',
      attributes: { plan: 'pro' },
      serviceName: 'checkout',
      environment: 'staging',
    },
    { level: 'debug', message: 'cache warm', time: T0, serviceName: 'billing' },
    { level: 'error', message: 'disk full', time: T_END, serviceName: 'billing' },
  ];
}

/** A minimal second trace of another service, for resource grouping. */
export function billingTrace(): TraceData {
  const id = '0190a1b2c3d4e5f60718293a4b5c6d7f';
  const rootId = '2222222222222222';
  return {
    schemaVersion: 1,
    id,
    name: 'charge',
    serviceName: 'billing',
    status: 'ok',
    startTime: T0,
    endTime: T_END,
    durationMs: T_END - T0,
    rootSpanId: rootId,
    tags: [],
    attributes: {},
    spans: [
      {
        traceId: id,
        spanId: rootId,
        parentId: null,
        name: 'charge',
        kind: 'internal',
        status: 'ok',
        startTime: T0,
        endTime: T_END,
        durationMs: T_END - T0,
        attributes: {},
      },
    ],
    logs: [],
    dropped: {
      spans: 0,
      attributes: 0,
      truncatedAttributes: 0,
      events: 0,
      logs: 0,
      truncatedIo: 0,
    },
    sdk: { name: '@tracewire/core', version: '0.1.0' },
  };
}
