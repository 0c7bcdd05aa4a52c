import type { AttributeValue, SpanData, SpanKind, TraceData } from '@tracewire/core';
import {
  DEFAULT_GEN_AI_OPERATION,
  EXCEPTION_EVENT,
  FLAG_HAS_IS_REMOTE,
  FLAG_IS_REMOTE,
  FLAG_SAMPLED,
  KEYS,
} from './internal/keys';
import { buildResource, buildScope, resourceKey } from './internal/resource';
import { isHexId, msToNanos, toKeyValues } from './internal/values';
import {
  type OtlpEvent,
  type OtlpLink,
  type OtlpResourceSpans,
  type OtlpSpan,
  OtlpSpanKind,
  type OtlpStatus,
  OtlpStatusCode,
  type OtlpTracesRequest,
  type ResourceAttributes,
} from './otlp-types';

const OTEL_KINDS: Partial<Record<SpanKind, number>> = {
  server: OtlpSpanKind.SERVER,
  client: OtlpSpanKind.CLIENT,
  producer: OtlpSpanKind.PRODUCER,
  consumer: OtlpSpanKind.CONSUMER,
  internal: OtlpSpanKind.INTERNAL,
};

/**
 * Finished tracewire traces as an OTLP/JSON `ExportTraceServiceRequest`, grouped
 * into one ResourceSpans per service and environment. `resource` adds attributes
 * to every resource (`service.version`, `host.name`, ...).
 *
 * @example
 * const body = JSON.stringify(toOtlpTraces(exporter.traces(), { 'service.version': '1.4.2' }));
 * await fetch('http://127.0.0.1:4318/v1/traces', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
 */
export function toOtlpTraces(
  traces: readonly TraceData[],
  resource?: ResourceAttributes,
): OtlpTracesRequest {
  const groups = new Map<string, OtlpResourceSpans>();
  for (const trace of traces) {
    const sdkVersion = trace.sdk?.version;
    const key = resourceKey(trace.serviceName, trace.environment, sdkVersion);
    let group = groups.get(key);
    if (!group) {
      group = {
        resource: buildResource(trace.serviceName, trace.environment, sdkVersion, resource),
        scopeSpans: [{ scope: buildScope(sdkVersion), spans: [] }],
      };
      groups.set(key, group);
    }
    const spans = group.scopeSpans[0]!.spans;
    for (const span of trace.spans) spans.push(toOtlpSpan(span, trace));
  }
  return { resourceSpans: [...groups.values()] };
}

function toOtlpSpan(span: SpanData, trace: TraceData): OtlpSpan {
  const isRoot = span.spanId === trace.rootSpanId;
  const parentSpanId = span.parentId ?? (isRoot ? trace.parentSpanId : undefined);
  const hasParent = isHexId(parentSpanId, 8);
  const remoteParent = isRoot && hasParent;

  const otelKind = OTEL_KINDS[span.kind];
  const attributes = new Map<string, AttributeValue>();
  const defaultOperation = DEFAULT_GEN_AI_OPERATION[span.kind];
  const isGenAi =
    defaultOperation !== undefined ||
    span.model !== undefined ||
    span.provider !== undefined ||
    span.usage !== undefined;
  // A default only: the user's own gen_ai.operation.name (set below) replaces it.
  if (isGenAi) attributes.set(KEYS.genAiOperation, defaultOperation ?? 'chat');

  if (isRoot) {
    for (const key of Object.keys(trace.attributes ?? {})) {
      attributes.set(key, trace.attributes[key]);
    }
  }
  for (const key of Object.keys(span.attributes ?? {})) attributes.set(key, span.attributes[key]);

  if (otelKind === undefined) attributes.set(KEYS.spanKind, span.kind);
  if (span.status === 'aborted' || span.status === 'cancelled') {
    attributes.set(KEYS.status, span.status);
  }
  if (span.tags && span.tags.length > 0) attributes.set(KEYS.tags, span.tags);
  if (span.input !== undefined) attributes.set(KEYS.input, span.input);
  if (span.output !== undefined) attributes.set(KEYS.output, span.output);
  if (isGenAi) {
    if (span.model !== undefined) attributes.set(KEYS.genAiModel, span.model);
    if (span.provider !== undefined) {
      attributes.set(KEYS.genAiProvider, span.provider);
      attributes.set(KEYS.genAiSystem, span.provider);
    }
    const usage = span.usage;
    if (usage) {
      attributes.set(KEYS.genAiInputTokens, usage.inputTokens);
      attributes.set(KEYS.genAiOutputTokens, usage.outputTokens);
      const derived = (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
      // Semconv has no total; send ours only when it says more than the two parts.
      if (usage.totalTokens !== undefined && usage.totalTokens !== derived) {
        attributes.set(KEYS.totalTokens, usage.totalTokens);
      }
    }
  }
  if (span.cost !== undefined) attributes.set(KEYS.cost, span.cost);
  for (const signal of span.signals ?? []) {
    attributes.set(KEYS.signalPrefix + signal.name, signal.value);
  }
  if (isRoot) addTraceFields(attributes, trace, span);

  const events: OtlpEvent[] = [];
  for (const event of span.events ?? []) {
    events.push({
      timeUnixNano: msToNanos(event.time),
      name: event.name,
      attributes: toKeyValues(Object.entries(event.attributes ?? {})),
    });
  }
  if (span.error && !events.some((event) => event.name === EXCEPTION_EVENT)) {
    const exception = new Map<string, AttributeValue>([
      [KEYS.exceptionType, span.error.type],
      [KEYS.exceptionMessage, span.error.message],
      [KEYS.exceptionStacktrace, span.error.stack],
    ]);
    events.push({
      timeUnixNano: msToNanos(span.endTime),
      name: EXCEPTION_EVENT,
      attributes: toKeyValues(exception),
    });
  }

  const links: OtlpLink[] = [];
  for (const link of span.links ?? []) {
    if (!isHexId(link.traceId, 16) || !isHexId(link.spanId, 8)) continue;
    links.push({
      traceId: link.traceId.toLowerCase(),
      spanId: link.spanId.toLowerCase(),
      attributes: toKeyValues(Object.entries(link.attributes ?? {})),
    });
  }

  const out: OtlpSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    flags: FLAG_SAMPLED | FLAG_HAS_IS_REMOTE | (remoteParent ? FLAG_IS_REMOTE : 0),
    name: span.name,
    kind: otelKind ?? OtlpSpanKind.INTERNAL,
    startTimeUnixNano: msToNanos(span.startTime),
    endTimeUnixNano: msToNanos(span.endTime),
    attributes: toKeyValues(attributes),
    status: toStatus(span),
  };
  if (hasParent) out.parentSpanId = (parentSpanId as string).toLowerCase();
  if (span.droppedAttributes) out.droppedAttributesCount = span.droppedAttributes;
  if (events.length > 0) out.events = events;
  if (span.droppedEvents) out.droppedEventsCount = span.droppedEvents;
  if (links.length > 0) out.links = links;
  return out;
}

function addTraceFields(
  attributes: Map<string, AttributeValue>,
  trace: TraceData,
  root: SpanData,
): void {
  if (trace.sessionId !== undefined) attributes.set(KEYS.sessionId, trace.sessionId);
  if (trace.userId !== undefined) attributes.set(KEYS.userId, trace.userId);
  if (trace.referenceId !== undefined) attributes.set(KEYS.referenceId, trace.referenceId);
  if (trace.tags && trace.tags.length > 0) attributes.set(KEYS.traceTags, trace.tags);
  if (trace.name !== root.name) attributes.set(KEYS.traceName, trace.name);
  if (trace.status !== root.status) attributes.set(KEYS.traceStatus, trace.status);
  const dropped = trace.dropped ?? {};
  for (const key of Object.keys(dropped) as (keyof typeof dropped)[]) {
    if (dropped[key] > 0) attributes.set(KEYS.droppedPrefix + key, dropped[key]);
  }
}

function toStatus(span: SpanData): OtlpStatus {
  if (span.status === 'error') {
    const message = span.statusMessage ?? span.error?.message;
    return message ? { code: OtlpStatusCode.ERROR, message } : { code: OtlpStatusCode.ERROR };
  }
  if (span.status === 'ok') return { code: OtlpStatusCode.OK };
  return { code: OtlpStatusCode.UNSET };
}
