import { activeCarrier, runWithCarrier } from './context/storage';
import {
  ExportPipeline,
  type ExportPipelineOptions,
  type ExportProblem,
  type ExportStats,
  type QueuedTrace,
} from './export/pipeline';
import { type Limits, resolveLimits } from './internal/limits';
import { resolvePrices } from './llm/cost';
import type { ModelPrice, PriceTable } from './llm/prices';
import { type LogFields, type Logger, makeLogRecord } from './log';
import { type Mask, Masker } from './mask/mask';
import { type RecordedEvent, type RecordedIds, recordedTrace } from './recorded-event';
import {
  resolveSampler,
  type SamplerOption,
  type TailPolicy,
  tailDecider,
} from './sampling/samplers';
import type { Span } from './span';
import { Trace, type TraceOptions, type TraceRuntime } from './trace';
import type { Exporter, LogLevel, TraceData } from './types';

export type { RecordedEvent, RecordedIds } from './recorded-event';

/** Redaction applied by the HTTP lifecycle and to attributes. */
export interface RedactOptions {
  /** Extra query parameter names whose values are replaced (case-insensitive, substring). */
  queryParams?: string[];
  /** Extra header names never recorded, beyond the built-in secret headers. */
  headers?: string[];
  /** Replacement text. Default `[REDACTED]`. */
  replacement?: string;
}

export interface TracerOptions {
  serviceName: string;
  environment?: string;
  /** Where finished traces go; several exporters each get every trace. */
  exporter?: Exporter | Exporter[];
  /** Head sampling. Default: follow the caller's sampled flag, record everything else. */
  sampler?: SamplerOption;
  /** Tail policy applied at trace end to head-sampled traces. */
  tail?: TailPolicy;
  limits?: Partial<Limits>;
  redact?: RedactOptions;
  /**
   * Implicit context through AsyncLocalStorage. `false` keeps only explicit handles
   * (`req.span`, `trace.startSpan`), for the last few percent of throughput.
   */
  context?: boolean;
  /** Batching, bounds, retries and timeouts of the export queue. */
  batch?: Omit<ExportPipelineOptions, 'exporter' | 'onError'>;
  /** Receives export problems; by default one warning per kind of problem. */
  onError?: (problem: ExportProblem) => void;
  /** `false` turns recording off entirely; context still propagates. */
  enabled?: boolean;
  /**
   * Called on IO, attributes and log fields before anything is exported: return the
   * value to send, a redacted one, or `undefined` to drop it (`sensitiveDataMasker()`
   * is a ready one). Runs off the request path, when a batch is built.
   */
  mask?: Mask;
  /**
   * Model prices (US dollars per million tokens) over the built-in table, keyed by
   * model name: `{ 'my-finetune': { input: 0.3, output: 1.2 } }`.
   */
  prices?: Record<string, ModelPrice>;
}

export interface TracerStats extends ExportStats {
  tracesStarted: number;
  tracesUnsampled: number;
  tracesDroppedByTail: number;
  /** Values a throwing `mask` replaced with `[mask failed]`. */
  maskErrors: number;
}

/**
 * The tracing client: configuration, trace creation, standalone logs, flushing.
 * Create one per process with `createTracer()`.
 */
export class Tracer {
  readonly serviceName: string;
  readonly environment: string | undefined;
  readonly limits: Limits;
  readonly contextEnabled: boolean;
  readonly redact: Required<RedactOptions>;
  readonly log: Logger;
  /** The price table LLM spans are costed with. */
  readonly prices: PriceTable;
  private readonly masker: Masker | undefined;
  private readonly pipelines: ExportPipeline[];
  private readonly runtime: TraceRuntime;
  private counters = { tracesStarted: 0, tracesUnsampled: 0, tracesDroppedByTail: 0 };
  private isShutdown = false;

  constructor(options: TracerOptions) {
    if (!options || typeof options.serviceName !== 'string' || options.serviceName === '') {
      throw new TypeError(
        "tracewire: createTracer needs a serviceName, e.g. createTracer({ serviceName: 'orders-api' }).",
      );
    }
    this.serviceName = options.serviceName;
    this.environment = options.environment;
    this.limits = resolveLimits(options.limits);
    this.contextEnabled = options.context !== false;
    this.redact = {
      queryParams: options.redact?.queryParams ?? [],
      headers: options.redact?.headers ?? [],
      replacement: options.redact?.replacement ?? '[REDACTED]',
    };
    const exporters =
      options.exporter === undefined
        ? []
        : Array.isArray(options.exporter)
          ? options.exporter
          : [options.exporter];
    if (options.mask !== undefined && typeof options.mask !== 'function') {
      throw new TypeError(
        'tracewire: mask must be a function (value, field) => value, e.g. mask: sensitiveDataMasker().',
      );
    }
    this.prices = resolvePrices(options.prices);
    const masker = options.mask ? new Masker(options.mask, this.limits.maxIoBytes) : undefined;
    this.masker = masker;
    for (const exporter of exporters) {
      if (!exporter || typeof exporter.export !== 'function') {
        throw new TypeError(
          'tracewire: exporter must be an object with an export(batch) method, e.g. memoryExporter() or httpExporter({ url }).',
        );
      }
    }
    this.pipelines = exporters.map(
      (exporter) => new ExportPipeline({ ...options.batch, exporter, onError: options.onError }),
    );
    const sampler = resolveSampler(options.sampler);
    const tail = tailDecider(options.tail);
    const recording = options.enabled !== false && this.pipelines.length > 0;
    const counters = this.counters;
    const pipelines = this.pipelines;
    this.runtime = {
      serviceName: this.serviceName,
      environment: this.environment,
      limits: this.limits,
      contextEnabled: this.contextEnabled,
      redactQuery: this.redact.queryParams,
      recording,
      prices: this.prices,
      headSample(traceId, traceOptions) {
        counters.tracesStarted++;
        const sampled = sampler.shouldSample({
          traceId,
          name: traceOptions.name,
          parent: traceOptions.parent ?? undefined,
          attributes: traceOptions.spanAttributes,
        });
        if (!sampled) counters.tracesUnsampled++;
        return sampled;
      },
      keepAtEnd(trace) {
        if (tail === undefined) return true;
        const keep = tail({
          traceId: trace.id,
          hasError: trace.hasError(),
          durationMs: trace.durationMs,
        });
        if (!keep) counters.tracesDroppedByTail++;
        return keep;
      },
      deliver(trace, urgent) {
        const queued = masker ? maskedTrace(trace, masker) : trace;
        if (pipelines.length === 1) return pipelines[0]!.enqueueTrace(queued, { urgent });
        return Promise.all(pipelines.map((p) => p.enqueueTrace(queued, { urgent }))).then(noop);
      },
    };
    const emit = (level: LogLevel, message: string, fields?: LogFields) =>
      this.emitLog(level, message, fields);
    this.log = {
      debug: (message, fields) => emit('debug', message, fields),
      info: (message, fields) => emit('info', message, fields),
      warn: (message, fields) => emit('warn', message, fields),
      error: (message, fields) => emit('error', message, fields),
    };
  }

  /** True when finished traces go somewhere. */
  get isRecording(): boolean {
    return this.runtime.recording && !this.isShutdown;
  }

  /**
   * Starts a trace you end yourself. It is not made current; use `trace.run(fn)`
   * or `trace.wrap()` for that.
   *
   * @example
   * const trace = tracer.startTrace({ name: 'nightly-import' });
   * try { await importAll(trace); } finally { await trace.end(); }
   */
  startTrace(options: TraceOptions | string): Trace {
    const opts = typeof options === 'string' ? { name: options } : options;
    if (!opts || typeof opts.name !== 'string') {
      throw new TypeError("tracewire: startTrace needs a name, e.g. startTrace({ name: 'job' }).");
    }
    return new Trace(this.runtime, opts);
  }

  /**
   * Runs `fn` inside a new trace and always ends and flushes it, even when `fn`
   * throws (the error is recorded, then rethrown unchanged). Resolves to `fn`'s value.
   *
   * @example
   * const summary = await tracer.trace({ name: 'summarise', userId }, async (trace) => {
   *   return trace.wrap('llm.call', (span) => callModel(span));
   * });
   */
  async trace<R>(options: TraceOptions | string, fn: (trace: Trace) => R): Promise<Awaited<R>> {
    const trace = this.startTrace(options);
    try {
      const result = await trace.run(fn);
      await trace.end({ urgent: true });
      return result;
    } catch (error) {
      trace.rootSpan.setError(error);
      await trace.end({ urgent: true });
      throw error;
    }
  }

  /**
   * Records one finished operation as its own trace (or as a span of an existing
   * trace when `traceId` is given); ids are generated when absent. Times may be
   * epoch ms, `Date`s or ISO 8601 strings; `durationMs` and `totalTokens` are
   * derived, and `cost` from the price table when not given. Resolves to the ids
   * once delivered or given up; rejects with a TypeError on a time it cannot read.
   *
   * @example
   * const { traceId } = await tracer.record({ name: 'openai.chat', kind: 'llm',
   *   model: 'gpt-4o', usage: { input_tokens: 12, output_tokens: 40 },
   *   startTime: new Date(started), endTime: new Date() });
   */
  record(event: RecordedEvent): Promise<RecordedIds> {
    let data: TraceData;
    try {
      data = recordedTrace(event, {
        serviceName: this.serviceName,
        environment: this.environment,
        maxIoBytes: this.limits.maxIoBytes,
        prices: this.prices,
      });
    } catch (error) {
      return Promise.reject(error);
    }
    const ids: RecordedIds = { traceId: data.id, spanId: data.spans[0]!.spanId };
    if (!this.isRecording) return Promise.resolve(ids);
    const masker = this.masker;
    const queued: QueuedTrace = {
      id: data.id,
      spanCount: 1,
      estimatedBytes:
        1024 + (data.spans[0]!.input?.length ?? 0) + (data.spans[0]!.output?.length ?? 0),
      toJSON: masker ? () => masker.trace(data) : () => data,
    };
    const delivered =
      this.pipelines.length === 1
        ? this.pipelines[0]!.enqueueTrace(queued)
        : Promise.all(this.pipelines.map((p) => p.enqueueTrace(queued)));
    return delivered.then(() => ids);
  }

  /** Sends everything queued now; resolves when it is delivered or given up. */
  async flush(timeoutMs?: number): Promise<void> {
    await Promise.all(this.pipelines.map((p) => p.flush(timeoutMs)));
  }

  /** Flushes, then stops accepting traces. Safe to call more than once. */
  async shutdown(timeoutMs?: number): Promise<void> {
    this.isShutdown = true;
    await Promise.all(this.pipelines.map((p) => p.shutdown(timeoutMs)));
  }

  /** Counters of the tracer and its export queues. */
  stats(): TracerStats {
    const total = emptyStats();
    for (const pipeline of this.pipelines) addStats(total, pipeline.stats());
    return { ...total, ...this.counters, maskErrors: this.masker?.errors ?? 0 };
  }

  private emitLog(level: LogLevel, message: string, fields: LogFields | undefined): void {
    try {
      const carrier = activeCarrier() as Span | undefined;
      if (carrier?.trace !== undefined) {
        carrier.trace.addLog(level, message, fields, carrier);
        return;
      }
      if (!this.isRecording) return;
      let record = makeLogRecord(level, message, fields, this.serviceName, this.environment);
      if (this.masker) record = this.masker.log(record);
      for (const pipeline of this.pipelines) pipeline.enqueueLog(record);
    } catch {
      // A log call must never throw into the app.
    }
  }
}

/**
 * Creates a tracer. Options are validated here: a mistake fails now, with a
 * message saying how to fix it, never later inside a request.
 *
 * @example
 * const tracer = createTracer({ serviceName: 'orders', exporter: consoleExporter() });
 */
export function createTracer(options: TracerOptions): Tracer {
  return new Tracer(options);
}

/** Runs `fn` with `span` as the current span. */
export function withSpan<R>(span: Span, fn: () => R): R {
  return span.trace.contextEnabled ? runWithCarrier(span, fn) : fn();
}

function noop(): void {}

/** The trace as the exporters see it: masked once, when its first batch is built. */
function maskedTrace(trace: Trace, masker: Masker): QueuedTrace {
  let data: TraceData | undefined;
  return {
    id: trace.id,
    spanCount: trace.spanCount,
    estimatedBytes: trace.estimatedBytes,
    toJSON: () => {
      data ??= masker.trace(trace.toJSON());
      return data;
    },
  };
}

function emptyStats(): ExportStats {
  const reasons = () => ({
    'queue-full': 0,
    rejected: 0,
    'retries-exhausted': 0,
    shutdown: 0,
    'serialize-failed': 0,
  });
  return {
    tracesExported: 0,
    spansExported: 0,
    logsExported: 0,
    tracesDropped: reasons(),
    logsDropped: reasons(),
    retries: 0,
    failedBatches: 0,
    queueDepth: { traces: 0, logs: 0, bytes: 0 },
  };
}

function addStats(into: ExportStats, from: ExportStats): void {
  into.tracesExported += from.tracesExported;
  into.spansExported += from.spansExported;
  into.logsExported += from.logsExported;
  into.retries += from.retries;
  into.failedBatches += from.failedBatches;
  for (const key of Object.keys(from.tracesDropped) as (keyof ExportStats['tracesDropped'])[]) {
    into.tracesDropped[key] += from.tracesDropped[key];
    into.logsDropped[key] += from.logsDropped[key];
  }
  into.queueDepth.traces += from.queueDepth.traces;
  into.queueDepth.logs += from.queueDepth.logs;
  into.queueDepth.bytes += from.queueDepth.bytes;
}
