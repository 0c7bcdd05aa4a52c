import { activeSpan, runWithCarrier } from './context/storage';
import { addExportStats, emptyExportStats } from './export/export-stats';
import { Delivery } from './export/internal/delivery';
import {
  ExportPipeline,
  type ExportPipelineOptions,
  type ExportProblem,
  type ExportStats,
  type QueuedTrace,
} from './export/pipeline';
import { instrumentHttpClients } from './http/client-instrumentation';
import { clientPolicy, type HttpClientOptions } from './http/client-policy';
import { valueSize } from './internal/estimate-size';
import { type Limits, resolveLimits } from './internal/limits';
import { resolvePrices } from './llm/cost';
import type { ModelPrice, PriceTable } from './llm/prices';
import { type LogFields, type Logger, makeLogRecord } from './log';
import { type Mask, Masker } from './mask/mask';
import { type RecordedEvent, type RecordedIds, recordedTrace } from './recorded-event';
import { traceRateLimiter } from './sampling/rate-limiter';
import {
  resolveSampler,
  type SamplerOption,
  type TailPolicy,
  tailDecider,
} from './sampling/samplers';
import type { Span } from './span';
import { Trace, type TraceOptions, type TraceRuntime } from './trace';
import type { Exporter, LogLevel, TraceData } from './types';
import { checkCallOptions } from './validation/options-check';
import {
  checkTracerOptions,
  RECORDED_EVENT_NAMES,
  TRACE_OPTION_NAMES,
} from './validation/tracer-options';

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
  /**
   * At most this many traces recorded per second (a token bucket holding one
   * second's worth), whatever the sampler, an inbound `traceparent` flag or
   * `sampled: true` asked for. Refused traces are unsampled (they propagate
   * flag `00`) and counted in `stats().tracesRateLimited`. Default: no cap.
   */
  maxTracesPerSecond?: number;
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
   * Outgoing `fetch`/`node:http` calls made inside this tracer's traces get a
   * client span and carry `traceparent`. Default true (every host); pass
   * `{ propagateTo }` to limit which hosts receive trace context, `false` to
   * leave outgoing calls alone. The hooks are installed once per process; each
   * call follows the settings of the tracer whose trace makes it.
   * @example outgoing: { propagateTo: ['127.0.0.1', /\.svc\.cluster\.local$/] }
   */
  outgoing?: boolean | HttpClientOptions;
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
  /** Traces started while recording, sampled or not. */
  tracesStarted: number;
  /** Not recorded by the head decision: the sampler, or `sampled: false`. */
  tracesUnsampled: number;
  /** Recorded by the head decision, then refused by `maxTracesPerSecond`. */
  tracesRateLimited: number;
  /** Recorded, then dropped at their end by the tail policy. */
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
  private counters = {
    tracesStarted: 0,
    tracesUnsampled: 0,
    tracesRateLimited: 0,
    tracesDroppedByTail: 0,
  };
  private isShutdown = false;

  constructor(options: TracerOptions) {
    if (!options || typeof options.serviceName !== 'string' || options.serviceName === '') {
      throw new TypeError(
        "tracewire: createTracer needs a serviceName, e.g. createTracer({ serviceName: 'orders-api' }).",
      );
    }
    checkTracerOptions(options);
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
    const policy = clientPolicy(options.outgoing, this.redact);
    if (policy !== undefined) instrumentHttpClients();
    const sampler = resolveSampler(options.sampler);
    const tail = tailDecider(options.tail);
    const rateLimit =
      options.maxTracesPerSecond === undefined
        ? undefined
        : traceRateLimiter(options.maxTracesPerSecond);
    const recording = options.enabled !== false && this.pipelines.length > 0;
    const counters = this.counters;
    const pipelines = this.pipelines;
    this.runtime = {
      serviceName: this.serviceName,
      environment: this.environment,
      limits: this.limits,
      contextEnabled: this.contextEnabled,
      redactQuery: this.redact.queryParams,
      clientPolicy: policy,
      recording,
      prices: this.prices,
      headSample(traceId, traceOptions) {
        counters.tracesStarted++;
        const sampled =
          traceOptions.sampled ??
          sampler.shouldSample({
            traceId,
            name: traceOptions.name,
            parent: traceOptions.parent ?? undefined,
            attributes: traceOptions.spanAttributes,
          });
        if (!sampled) {
          counters.tracesUnsampled++;
          return false;
        }
        if (rateLimit !== undefined && !rateLimit.tryTake()) {
          counters.tracesRateLimited++;
          return false;
        }
        return true;
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
        return Delivery.combine(pipelines.map((p) => p.enqueueTrace(queued, { urgent })));
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
    checkCallOptions('startTrace()', opts, TRACE_OPTION_NAMES);
    return new Trace(this.runtime, opts);
  }

  /** @internal `startTrace()` for options core built itself (the HTTP lifecycle's, per request): not checked again. */
  openTrace(options: TraceOptions): Trace {
    return new Trace(this.runtime, options);
  }

  /**
   * Runs `fn` inside a new trace and always ends and sends it, even when `fn`
   * throws (the error is recorded, then rethrown unchanged). Resolves to `fn`'s
   * value once the trace is delivered or given up, waiting at most
   * `flushTimeoutMs` (default 5 s) for the collector.
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
   * derived, and `cost` from the price table when not given. Like `trace.end()`:
   * awaited, it sends at once and resolves to the ids on delivery (or after
   * `flushTimeoutMs`); not awaited, it waits for its batch and keeps nothing
   * alive. Rejects with a TypeError on a time it cannot read.
   *
   * @example
   * const { traceId } = await tracer.record({ name: 'openai.chat', kind: 'llm',
   *   model: 'gpt-4o', usage: { input_tokens: 12, output_tokens: 40 },
   *   startTime: new Date(started), endTime: new Date() });
   */
  record(event: RecordedEvent): Promise<RecordedIds> {
    if (event !== null && typeof event === 'object') {
      checkCallOptions('record()', event, RECORDED_EVENT_NAMES);
    }
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
      estimatedBytes: valueSize(data),
      toJSON: masker ? () => masker.trace(data) : () => data,
    };
    // Not `.then()`: that would count as awaiting and send at once for every caller.
    return Delivery.yielding(
      this.pipelines.length === 1
        ? this.pipelines[0]!.enqueueTrace(queued)
        : Delivery.combine(this.pipelines.map((p) => p.enqueueTrace(queued))),
      ids,
    );
  }

  /**
   * Sends everything queued now; resolves when it is delivered or given up, or
   * after `timeoutMs` (default 30 s), keeping the process alive meanwhile.
   * Sending starts within the call, so the promise can be handed to an edge
   * runtime's `waitUntil()`. Never rejects.
   */
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
    const total = emptyExportStats();
    for (const pipeline of this.pipelines) addExportStats(total, pipeline.stats());
    return { ...total, ...this.counters, maskErrors: this.masker?.errors ?? 0 };
  }

  private emitLog(level: LogLevel, message: string, fields: LogFields | undefined): void {
    try {
      const span = activeSpan();
      if (span !== undefined) {
        span.trace.addLog(level, message, fields, span);
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
