import {
  type Context,
  context as contextApi,
  INVALID_SPAN_CONTEXT,
  type Span as OtelSpan,
  type SpanContext as OtelSpanContext,
  type SpanOptions as OtelSpanOptions,
  type Tracer as OtelTracer,
  trace as traceApi,
} from '@opentelemetry/api';
import {
  type Attributes,
  getDefaultTracer,
  type LinkData,
  type Span,
  type SpanContext,
  type SpanKind,
  type Tracer,
} from '@tracewire/core';
import { isHttpClientInstrumented } from '@tracewire/core/http';
import { BridgeSpan, otelSpanFor, toAttributes, toLinkData, tracewireSpanOf } from './bridge-span';
import { SPAN_KEY, SUPPRESS_TRACING_KEY } from './internal/keys';
import { toEpochMillis } from './internal/time';

/** OpenTelemetry's `SpanKind` enum values, in order. */
const KINDS: readonly SpanKind[] = ['internal', 'server', 'client', 'producer', 'consumer'];

/**
 * Instrumentations whose client spans duplicate tracewire's own outgoing-call
 * spans (`instrumentHttpClients`, on by default in every adapter).
 */
const HTTP_CLIENT_SCOPES = new Set([
  '@opentelemetry/instrumentation-undici',
  '@opentelemetry/instrumentation-http',
]);

/** Marks the stand-in span handed out instead of a duplicate HTTP client span. */
export const DEFERRED_TO_TRACEWIRE = Symbol.for('tracewire.opentelemetry.deferred');

/** What the tracer needs from `registerOpenTelemetry`'s options. */
export interface BridgeTracerSettings {
  readonly tracer: Tracer | undefined;
  readonly startTraces: { readonly internal: boolean; readonly client: boolean };
}

/**
 * The OpenTelemetry `Tracer` of one instrumentation scope. Spans started in a
 * tracewire trace are spans of that trace; spans started outside any trace
 * start one (server, consumer and producer spans always; internal and client
 * spans as `startTraces` says).
 */
export class BridgeTracer implements OtelTracer {
  private readonly scopeAttributes: Attributes;
  private readonly defersHttpClients: boolean;

  constructor(
    scopeName: string,
    scopeVersion: string | undefined,
    private readonly settings: BridgeTracerSettings,
  ) {
    this.scopeAttributes = { 'otel.scope.name': scopeName };
    if (scopeVersion) this.scopeAttributes['otel.scope.version'] = scopeVersion;
    this.defersHttpClients = HTTP_CLIENT_SCOPES.has(scopeName);
  }

  startSpan(name: string, options?: OtelSpanOptions, context?: Context): OtelSpan {
    try {
      return this.start(String(name), options ?? {}, context ?? contextApi.active());
    } catch {
      // Tracing never throws into an instrumented library.
      return traceApi.wrapSpanContext(INVALID_SPAN_CONTEXT);
    }
  }

  startActiveSpan<F extends (span: OtelSpan) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: OtelSpan) => unknown>(
    name: string,
    options: OtelSpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: OtelSpan) => unknown>(
    name: string,
    options: OtelSpanOptions,
    context: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: OtelSpan) => unknown>(
    name: string,
    ...rest: unknown[]
  ): ReturnType<F> | undefined {
    const fn = rest[rest.length - 1];
    if (typeof fn !== 'function') return undefined;
    const options = rest.length >= 2 ? (rest[0] as OtelSpanOptions | undefined) : undefined;
    const parent =
      (rest.length >= 3 ? (rest[1] as Context | undefined) : undefined) ?? contextApi.active();
    const span = this.startSpan(name, options, parent);
    const body = fn as (span: OtelSpan) => ReturnType<F>;
    return contextApi.with(traceApi.setSpan(parent, span), body, undefined, span);
  }

  private start(name: string, options: OtelSpanOptions, context: Context): OtelSpan {
    if (context.getValue(SUPPRESS_TRACING_KEY) === true) {
      return traceApi.wrapSpanContext(INVALID_SPAN_CONTEXT);
    }
    const kind = KINDS[options.kind ?? 0] ?? 'internal';
    const parentOtel = options.root === true ? undefined : context.getValue(SPAN_KEY);
    const parent = tracewireSpanOf(parentOtel);
    const startTime = toEpochMillis(options.startTime);
    const links = linksOf(options);
    if (parent !== undefined) {
      if (
        kind === 'client' &&
        this.defersHttpClients &&
        parent.trace.clientPolicy !== undefined &&
        isHttpClientInstrumented()
      ) {
        return deferredSpan(parent);
      }
      const span = parent.trace.startSpan(name, { kind, startTime, links }, parent);
      this.setStartAttributes(span, options);
      return new BridgeSpan(span, false, true);
    }
    const remote = remoteParent(parentOtel);
    const startsTrace =
      kind === 'server' ||
      kind === 'consumer' ||
      kind === 'producer' ||
      (kind === 'internal' ? this.settings.startTraces.internal : this.settings.startTraces.client);
    const tracer = this.settings.tracer ?? getDefaultTracer();
    const trace = tracer.startTrace({
      name,
      kind,
      parent: remote,
      startTime,
      links,
      spanAttributes: options.attributes ? toAttributes(options.attributes) : undefined,
      // Not starting a trace still hands out real ids, so context propagates.
      sampled: startsTrace ? undefined : false,
    });
    if (trace.rootSpan.isRecording) trace.rootSpan.setAttributes(this.scopeAttributes);
    return new BridgeSpan(trace.rootSpan, true, true);
  }

  private setStartAttributes(span: Span, options: OtelSpanOptions): void {
    if (!span.isRecording) return;
    if (options.attributes) span.setAttributes(toAttributes(options.attributes));
    span.setAttributes(this.scopeAttributes);
  }
}

function linksOf(options: OtelSpanOptions): LinkData[] | undefined {
  if (!Array.isArray(options.links) || options.links.length === 0) return undefined;
  const links: LinkData[] = [];
  for (const link of options.links) {
    const data = toLinkData(link);
    if (data !== undefined) links.push(data);
  }
  return links.length > 0 ? links : undefined;
}

/** A span of another tracing system in the context (usually `propagation.extract`'s). */
function remoteParent(span: unknown): SpanContext | undefined {
  if (span === undefined || span === null) return undefined;
  const context = (span as OtelSpan).spanContext?.();
  if (!traceApi.isSpanContextValid(context as OtelSpanContext)) return undefined;
  const flags = context!.traceFlags ?? 0;
  const parent: SpanContext = {
    traceId: context!.traceId,
    spanId: context!.spanId,
    sampled: (flags & 1) === 1,
    random: (flags & 2) === 2,
    isRemote: context!.isRemote === true,
  };
  const state = context!.traceState?.serialize();
  if (state) parent.traceState = state;
  return parent;
}

/**
 * What an OpenTelemetry HTTP client instrumentation gets when tracewire already
 * records the call: a span that records nothing, whose context is the caller's
 * span, and which the bridge propagator leaves out, so the call has one client
 * span and one `traceparent` (tracewire's) whichever instrumentation runs first.
 */
function deferredSpan(parent: Span): OtelSpan {
  const span = traceApi.wrapSpanContext(otelSpanFor(parent).spanContext());
  const marks = span as unknown as Record<symbol, unknown>;
  marks[DEFERRED_TO_TRACEWIRE] = true;
  // Code run under it is still inside the caller's tracewire span.
  marks[Symbol.for('tracewire.opentelemetry.span')] = parent;
  return span;
}

export function isDeferredSpan(span: unknown): boolean {
  return (
    span !== null &&
    typeof span === 'object' &&
    (span as Record<symbol, unknown>)[DEFERRED_TO_TRACEWIRE] === true
  );
}
