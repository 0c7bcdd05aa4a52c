import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { LogData, SpanData, SpanKind, Status, TraceData } from '@tracewire/core';

export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

export const newTraceId = () => randomBytes(16).toString('hex');
export const newSpanId = () => randomBytes(8).toString('hex');

interface SpanSpec {
  id: string;
  parentId: string | null;
  name: string;
  kind: SpanKind;
  from: number;
  to: number;
  status?: Status;
  extra?: Partial<SpanData>;
}

function part(
  traceId: string,
  serviceName: string,
  t0: number,
  specs: SpanSpec[],
  logs: LogData[] = [],
): TraceData {
  const spans: SpanData[] = specs.map((s) => ({
    traceId,
    spanId: s.id,
    parentId: s.parentId,
    name: s.name,
    kind: s.kind,
    status: s.status ?? 'ok',
    startTime: t0 + s.from,
    endTime: t0 + s.to,
    durationMs: s.to - s.from,
    attributes: {},
    ...s.extra,
  }));
  const root = spans[0]!;
  const trace: TraceData = {
    schemaVersion: 1,
    id: traceId,
    name: root.name,
    serviceName,
    environment: 'dev',
    status: spans.some((s) => s.status === 'error') ? 'error' : 'ok',
    startTime: root.startTime,
    endTime: root.endTime,
    durationMs: root.durationMs,
    rootSpanId: root.spanId,
    tags: [],
    attributes: {},
    spans,
    logs,
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
  if (root.parentId) trace.parentSpanId = root.parentId;
  return trace;
}

function http(method: string, route: string, status: number) {
  return {
    attributes: {
      'http.request.method': method,
      'http.route': route,
      'http.response.status_code': status,
    },
  };
}

export interface Demo {
  traceId: string;
  /** One exported trace per service, in call order: gateway, orders, payments, inventory. */
  parts: TraceData[];
  ids: {
    gatewayRoot: string;
    gatewayCall: string;
    ordersRoot: string;
    ordersToPayments: string;
    ordersToInventory: string;
    llm: string;
    paymentsRoot: string;
    charge: string;
    inventoryRoot: string;
    hostile: string;
  };
}

/**
 * A checkout request through four services as each would export it: gateway
 * calls orders, orders calls payments (whose card charge fails) and inventory,
 * then asks an LLM for a summary. Each downstream root's parent is its
 * caller's client span.
 */
export function demoCheckout(options: { hostile?: boolean; t0?: number } = {}): Demo {
  const traceId = newTraceId();
  const t0 = options.t0 ?? Date.now() - 200;
  const ids = {
    gatewayRoot: newSpanId(),
    gatewayCall: newSpanId(),
    ordersRoot: newSpanId(),
    validate: newSpanId(),
    ordersToPayments: newSpanId(),
    ordersToInventory: newSpanId(),
    llm: newSpanId(),
    paymentsRoot: newSpanId(),
    charge: newSpanId(),
    inventoryRoot: newSpanId(),
    hostile: newSpanId(),
  };
  const gateway = part(traceId, 'gateway', t0, [
    {
      id: ids.gatewayRoot,
      parentId: null,
      name: 'POST /checkout',
      kind: 'server',
      from: 0,
      to: 128,
      extra: http('POST', '/checkout', 502),
    },
    {
      id: ids.gatewayCall,
      parentId: ids.gatewayRoot,
      name: 'POST orders',
      kind: 'client',
      from: 4,
      to: 121,
      extra: http('POST', '/orders', 502),
    },
  ]);
  gateway.status = 'error';
  const orders = part(traceId, 'orders', t0, [
    {
      id: ids.ordersRoot,
      parentId: ids.gatewayCall,
      name: 'POST /orders',
      kind: 'server',
      from: 7,
      to: 118,
      extra: http('POST', '/orders', 502),
    },
    {
      id: ids.validate,
      parentId: ids.ordersRoot,
      name: 'validate cart',
      kind: 'internal',
      from: 9,
      to: 14,
    },
    {
      id: ids.ordersToPayments,
      parentId: ids.ordersRoot,
      name: 'POST payments',
      kind: 'client',
      from: 15,
      to: 61,
      extra: http('POST', '/charge', 402),
    },
    {
      id: ids.ordersToInventory,
      parentId: ids.ordersRoot,
      name: 'POST inventory',
      kind: 'client',
      from: 63,
      to: 92,
      extra: http('POST', '/reserve', 200),
    },
    {
      id: ids.llm,
      parentId: ids.ordersRoot,
      name: 'summarize order',
      kind: 'llm',
      from: 93,
      to: 116,
      extra: {
        model: 'gpt-4o-mini',
        provider: 'openai',
        usage: { inputTokens: 1234, outputTokens: 56, totalTokens: 1290 },
        cost: 0.00042,
        input: JSON.stringify([{ role: 'user', content: 'Summarise order 42' }]),
        output: JSON.stringify({
          role: 'assistant',
          content: 'Order 42: 3 items, payment declined.',
        }),
        attributes: { 'gen_ai.operation.name': 'chat' },
      },
    },
  ]);
  const payments = part(
    traceId,
    'payments',
    t0,
    [
      {
        id: ids.paymentsRoot,
        parentId: ids.ordersToPayments,
        name: 'POST /charge',
        kind: 'server',
        from: 18,
        to: 58,
        extra: http('POST', '/charge', 402),
      },
      {
        id: ids.charge,
        parentId: ids.paymentsRoot,
        name: 'card.charge',
        kind: 'client',
        from: 21,
        to: 55,
        status: 'error',
        extra: {
          error: {
            type: 'CardDeclinedError',
            message: 'card declined: insufficient funds',
            stack:
              'CardDeclinedError: card declined: insufficient funds\n    at charge (payments/src/charge.ts:42:11)',
          },
        },
      },
    ],
    [
      {
        level: 'error',
        message: 'charge failed for order 42',
        time: t0 + 56,
        serviceName: 'payments',
        traceId,
        spanId: ids.charge,
      },
    ],
  );
  const inventory = part(traceId, 'inventory', t0, [
    {
      id: ids.inventoryRoot,
      parentId: ids.ordersToInventory,
      name: 'POST /reserve',
      kind: 'server',
      from: 65,
      to: 90,
      extra: http('POST', '/reserve', 200),
    },
    {
      id: ids.hostile,
      parentId: ids.inventoryRoot,
      name: options.hostile ? HOSTILE_NAME : 'SELECT stock',
      kind: 'internal',
      from: 67,
      to: 84,
    },
  ]);
  return { traceId, parts: [gateway, orders, payments, inventory], ids };
}

export interface PostOptions {
  gzip?: boolean;
  contentType?: string;
  headers?: Record<string, string>;
}

/** POSTs a JSON value (or raw bytes) over real HTTP and returns the status and parsed body. */
export async function post(
  url: string,
  body: unknown,
  options: PostOptions = {},
): Promise<{ status: number; body: any }> {
  let bytes: Uint8Array =
    body instanceof Uint8Array
      ? body
      : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    ...options.headers,
  };
  if (options.gzip) {
    bytes = gzipSync(bytes);
    headers['content-encoding'] = 'gzip';
  }
  const res = await fetch(url, { method: 'POST', body: bytes, headers });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Non-JSON answers are returned as text.
  }
  return { status: res.status, body: parsed };
}

export function nativeBatch(traces: TraceData[], logs: LogData[] = []) {
  return { schemaVersion: 1, traces, logs };
}

/** One service's trace of `spans` spans, each with an input of `chars` characters. */
export function heavyPart(spans: number, chars: number): TraceData {
  const part = structuredClone(demoCheckout().parts[3]!);
  const root = part.spans[0]!;
  part.spans = Array.from({ length: spans }, (_, i) => ({
    ...root,
    spanId: i === 0 ? root.spanId : newSpanId(),
    parentId: i === 0 ? root.parentId : root.spanId,
    input: JSON.stringify('y'.repeat(chars)),
  }));
  return part;
}
