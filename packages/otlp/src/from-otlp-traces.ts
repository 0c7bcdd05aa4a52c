import type {
  Attributes,
  AttributeValue,
  DroppedCounts,
  ErrorData,
  EventData,
  LinkData,
  SignalData,
  SpanData,
  SpanKind,
  Status,
  TraceData,
  Usage,
} from '@tracewire/core';
import { SPAN_KINDS } from '@tracewire/core';
import { DEFAULT_GEN_AI_OPERATION, EXCEPTION_EVENT, KEYS } from './internal/keys';
import { fromKeyValues, int64ToNumber, nanosToMs, normalizeId } from './internal/values';

// Index = OTLP SpanKind number; the standard protobuf JSON mapping spells them as names.
const OTEL_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
const FROM_OTEL_KIND: SpanKind[] = [
  'internal',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];
const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return value !== null && typeof value === 'object';
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function enumValue(value: unknown, names: readonly string[]): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const index = names.indexOf(value);
    return index >= 0 ? index : Number(value) || 0;
  }
  return 0;
}

function count(value: unknown): number {
  const number = int64ToNumber(value);
  return number !== undefined && number > 0 ? number : 0;
}

interface Group {
  traceId: string;
  serviceName: string;
  environment: string | undefined;
  sdkVersion: string;
  spans: SpanData[];
  /** Raw root-only attributes, kept aside so trace fields can be read from them. */
  traceFields: Map<SpanData, Record<string, AttributeValue>>;
}

/**
 * The inverse of `toOtlpTraces`, for receivers: an OTLP/JSON
 * `ExportTraceServiceRequest` (already parsed) back to tracewire traces, one per
 * trace id and service, the span with no parent inside the group as root. Accepts
 * what OpenTelemetry SDKs and collectors send: hex or base64 ids, int64 as strings
 * or numbers, enums as integers or names. Spans with unusable ids are skipped;
 * a body that is not an object throws a TypeError.
 *
 * @example
 * const traces = fromOtlpTraces(JSON.parse(body));
 * for (const trace of traces) console.log(trace.serviceName, trace.name, trace.spans.length);
 */
export function fromOtlpTraces(request: unknown): TraceData[] {
  if (!isObject(request)) {
    throw new TypeError(
      '@tracewire/otlp: fromOtlpTraces expects a parsed OTLP/JSON ExportTraceServiceRequest ' +
        '(an object with resourceSpans); JSON.parse the request body first.',
    );
  }
  const groups = new Map<string, Group>();
  for (const resourceSpans of list(request.resourceSpans)) {
    if (!isObject(resourceSpans)) continue;
    const resource = isObject(resourceSpans.resource)
      ? fromKeyValues(resourceSpans.resource.attributes)
      : {};
    const serviceName = stringOr(resource['service.name'], 'unknown_service');
    const environment =
      optionalString(resource['deployment.environment.name']) ??
      optionalString(resource['deployment.environment']);
    // Older senders use instrumentationLibrarySpans (OTLP < 0.15); same shape.
    const scopes = [
      ...list(resourceSpans.scopeSpans),
      ...list(resourceSpans.instrumentationLibrarySpans),
    ];
    for (const scopeSpans of scopes) {
      if (!isObject(scopeSpans)) continue;
      const scope = isObject(scopeSpans.scope)
        ? scopeSpans.scope
        : isObject(scopeSpans.instrumentationLibrary)
          ? scopeSpans.instrumentationLibrary
          : {};
      const sdkVersion =
        optionalString(resource['telemetry.sdk.version']) ?? optionalString(scope.version) ?? '';
      for (const raw of list(scopeSpans.spans)) {
        if (!isObject(raw)) continue;
        const parsed = fromOtlpSpan(raw);
        if (!parsed) continue;
        const key = `${parsed.span.traceId}\u0000${serviceName}\u0000${environment ?? ''}`;
        let group = groups.get(key);
        if (!group) {
          group = {
            traceId: parsed.span.traceId,
            serviceName,
            environment,
            sdkVersion,
            spans: [],
            traceFields: new Map(),
          };
          groups.set(key, group);
        }
        group.spans.push(parsed.span);
        group.traceFields.set(parsed.span, parsed.rootOnly);
      }
    }
  }
  return [...groups.values()].map(toTrace);
}

function stringOr(value: AttributeValue, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function stringArray(value: AttributeValue): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

function optionalNumber(value: AttributeValue): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** Root-only attribute names: they describe the trace and move onto TraceData. */
const TRACE_KEYS = [
  KEYS.sessionId,
  KEYS.userId,
  KEYS.referenceId,
  KEYS.traceTags,
  KEYS.traceName,
  KEYS.traceStatus,
];

function fromOtlpSpan(raw: Loose): { span: SpanData; rootOnly: Attributes } | undefined {
  const traceId = normalizeId(raw.traceId, 16);
  const spanId = normalizeId(raw.spanId, 8);
  if (!traceId || !spanId) return undefined;
  const attributes = fromKeyValues(raw.attributes);
  const take = (key: string): AttributeValue => {
    const value = attributes[key];
    delete attributes[key];
    return value;
  };

  const rootOnly: Attributes = {};
  for (const key of TRACE_KEYS) {
    if (key in attributes) rootOnly[key] = take(key);
  }
  for (const key of Object.keys(attributes)) {
    if (key.startsWith(KEYS.droppedPrefix)) rootOnly[key] = take(key);
  }

  const otelKind = enumValue(raw.kind, OTEL_KIND_NAMES);
  const declaredKind = take(KEYS.spanKind);
  const kind = (SPAN_KINDS as readonly string[]).includes(declaredKind as string)
    ? (declaredKind as SpanKind)
    : (FROM_OTEL_KIND[otelKind] ?? 'internal');

  const rawStatus = isObject(raw.status) ? raw.status : {};
  const statusCode = enumValue(rawStatus.code, STATUS_CODE_NAMES);
  const declaredStatus = take(KEYS.status);
  let status: Status = 'unset';
  if (statusCode === 2) status = 'error';
  else if (statusCode === 1) status = 'ok';
  else if (declaredStatus === 'aborted' || declaredStatus === 'cancelled') status = declaredStatus;

  const startTime = nanosToMs(raw.startTimeUnixNano);
  const endTime = Math.max(nanosToMs(raw.endTimeUnixNano), startTime);
  const span: SpanData = {
    traceId,
    spanId,
    parentId: normalizeId(raw.parentSpanId, 8) ?? null,
    name: typeof raw.name === 'string' ? raw.name : '',
    kind,
    status,
    startTime,
    endTime,
    durationMs: endTime - startTime,
    attributes,
  };

  const events: EventData[] = [];
  let exception: ErrorData | undefined;
  for (const rawEvent of list(raw.events)) {
    if (!isObject(rawEvent)) continue;
    const eventAttributes = fromKeyValues(rawEvent.attributes);
    const time = nanosToMs(rawEvent.timeUnixNano);
    if (rawEvent.name === EXCEPTION_EVENT) {
      exception = {
        message: String(eventAttributes[KEYS.exceptionMessage] ?? ''),
        type: String(eventAttributes[KEYS.exceptionType] ?? 'Error'),
      };
      const stack = eventAttributes[KEYS.exceptionStacktrace];
      if (typeof stack === 'string') exception.stack = stack;
      continue;
    }
    const event: EventData = { name: String(rawEvent.name ?? ''), time };
    if (Object.keys(eventAttributes).length > 0) event.attributes = eventAttributes;
    events.push(event);
  }
  if (exception) span.error = exception;
  const message = optionalString(rawStatus.message);
  if (message !== undefined && message !== exception?.message) span.statusMessage = message;

  const tags = stringArray(take(KEYS.tags));
  if (tags) span.tags = tags;
  const input = take(KEYS.input);
  if (typeof input === 'string') span.input = input;
  const output = take(KEYS.output);
  if (typeof output === 'string') span.output = output;

  const model = take(KEYS.genAiModel);
  if (typeof model === 'string') span.model = model;
  const provider = take(KEYS.genAiProvider);
  const system = take(KEYS.genAiSystem);
  if (typeof provider === 'string') span.provider = provider;
  else if (typeof system === 'string') span.provider = system;
  const inputTokens = optionalNumber(take(KEYS.genAiInputTokens));
  const outputTokens = optionalNumber(take(KEYS.genAiOutputTokens));
  const totalTokens = optionalNumber(take(KEYS.totalTokens));
  if (inputTokens !== undefined || outputTokens !== undefined || totalTokens !== undefined) {
    const usage: Usage = {};
    if (inputTokens !== undefined) usage.inputTokens = inputTokens;
    if (outputTokens !== undefined) usage.outputTokens = outputTokens;
    usage.totalTokens = totalTokens ?? (inputTokens ?? 0) + (outputTokens ?? 0);
    span.usage = usage;
  }
  const cost = optionalNumber(take(KEYS.cost));
  if (cost !== undefined) span.cost = cost;
  const isGenAi =
    DEFAULT_GEN_AI_OPERATION[kind] !== undefined ||
    span.model !== undefined ||
    span.provider !== undefined ||
    span.usage !== undefined;
  // Only the default we add ourselves is dropped; any other operation name is data.
  if (isGenAi && attributes[KEYS.genAiOperation] === (DEFAULT_GEN_AI_OPERATION[kind] ?? 'chat')) {
    delete attributes[KEYS.genAiOperation];
  }

  const signals: SignalData[] = [];
  for (const key of Object.keys(attributes)) {
    if (!key.startsWith(KEYS.signalPrefix)) continue;
    const value = take(key);
    if (typeof value === 'number' || typeof value === 'boolean') {
      signals.push({
        name: key.slice(KEYS.signalPrefix.length),
        value,
        type: typeof value === 'number' ? 'numeric' : 'boolean',
        time: endTime,
      });
    }
  }
  if (signals.length > 0) span.signals = signals;
  if (events.length > 0) span.events = events;

  const links: LinkData[] = [];
  for (const rawLink of list(raw.links)) {
    if (!isObject(rawLink)) continue;
    const linkTraceId = normalizeId(rawLink.traceId, 16);
    const linkSpanId = normalizeId(rawLink.spanId, 8);
    if (!linkTraceId || !linkSpanId) continue;
    const link: LinkData = { traceId: linkTraceId, spanId: linkSpanId };
    const linkAttributes = fromKeyValues(rawLink.attributes);
    if (Object.keys(linkAttributes).length > 0) link.attributes = linkAttributes;
    links.push(link);
  }
  if (links.length > 0) span.links = links;

  const droppedAttributes = count(raw.droppedAttributesCount);
  if (droppedAttributes > 0) span.droppedAttributes = droppedAttributes;
  const droppedEvents = count(raw.droppedEventsCount);
  if (droppedEvents > 0) span.droppedEvents = droppedEvents;
  return { span, rootOnly };
}

function pickRoot(spans: SpanData[]): SpanData {
  const ids = new Set(spans.map((span) => span.spanId));
  let root: SpanData | undefined;
  for (const span of spans) {
    if (span.parentId !== null && ids.has(span.parentId)) continue;
    // Several orphans (a partial trace): the earliest one is the best stand-in.
    if (!root || span.startTime < root.startTime) root = span;
  }
  return root ?? spans[0]!;
}

function toTrace(group: Group): TraceData {
  const root = pickRoot(group.spans);
  const fields = group.traceFields.get(root) ?? {};
  // Trace-level fields are only meaningful on the root; elsewhere they are plain data.
  for (const span of group.spans) {
    if (span === root) continue;
    Object.assign(span.attributes, group.traceFields.get(span));
  }
  const spans = [root, ...group.spans.filter((span) => span !== root)];
  let startTime = root.startTime;
  let endTime = root.endTime;
  for (const span of spans) {
    if (span.startTime < startTime) startTime = span.startTime;
    if (span.endTime > endTime) endTime = span.endTime;
  }
  const dropped: DroppedCounts = {
    spans: 0,
    attributes: 0,
    truncatedAttributes: 0,
    events: 0,
    logs: 0,
    truncatedIo: 0,
  };
  for (const key of Object.keys(dropped) as (keyof DroppedCounts)[]) {
    const value = fields[KEYS.droppedPrefix + key];
    if (typeof value === 'number') dropped[key] = value;
  }
  const declaredStatus = fields[KEYS.traceStatus];
  const trace: TraceData = {
    schemaVersion: 1,
    id: group.traceId,
    name: optionalString(fields[KEYS.traceName]) ?? root.name,
    serviceName: group.serviceName,
    status: isStatus(declaredStatus) ? declaredStatus : root.status,
    startTime,
    endTime,
    durationMs: endTime - startTime,
    rootSpanId: root.spanId,
    tags: stringArray(fields[KEYS.traceTags]) ?? [],
    attributes: {},
    spans,
    logs: [],
    dropped,
    sdk: { name: '@tracewire/core', version: group.sdkVersion },
  };
  if (group.environment !== undefined) trace.environment = group.environment;
  if (root.parentId !== null) trace.parentSpanId = root.parentId;
  const sessionId = optionalString(fields[KEYS.sessionId]);
  if (sessionId !== undefined) trace.sessionId = sessionId;
  const userId = optionalString(fields[KEYS.userId]);
  if (userId !== undefined) trace.userId = userId;
  const referenceId = optionalString(fields[KEYS.referenceId]);
  if (referenceId !== undefined) trace.referenceId = referenceId;
  return trace;
}

function isStatus(value: unknown): value is Status {
  return (
    value === 'unset' ||
    value === 'ok' ||
    value === 'error' ||
    value === 'aborted' ||
    value === 'cancelled'
  );
}
