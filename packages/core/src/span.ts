import { type ContextCarrier, runWithCarrier } from './context/storage';
import { now } from './internal/clock';
import { attributesSize, valueSize } from './internal/estimate-size';
import { newSpanId } from './internal/ids';
import { errorData, serializeIo } from './internal/serialize';
import { computeCost } from './llm/cost';
import type { Trace } from './trace';
import type {
  AttributeScalar,
  Attributes,
  AttributeValue,
  EventData,
  LinkData,
  SignalData,
  SpanContext,
  SpanData,
  SpanKind,
  Status,
  Usage,
} from './types';
import { checkCallOptions } from './validation/options-check';
import { SPAN_END_OPTION_NAMES } from './validation/tracer-options';

/** Options for starting a span. */
export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  tags?: string[];
  input?: unknown;
  /** LLM spans: the model and provider called. */
  model?: string;
  provider?: string;
  links?: LinkData[];
  /** Epoch milliseconds; defaults to now. */
  startTime?: number;
}

/** Options for ending a span; each is applied before the span closes. */
export interface SpanEndOptions {
  status?: Status;
  statusMessage?: string;
  attributes?: Attributes;
  output?: unknown;
  usage?: Usage;
  cost?: number;
  /** Epoch milliseconds; defaults to now. */
  endTime?: number;
}

/** Fields `span.update()` changes: attributes merge, tags replace. */
export interface SpanUpdate {
  name?: string;
  status?: Status;
  statusMessage?: string;
  attributes?: Attributes;
  tags?: string[];
  model?: string;
  provider?: string;
  usage?: Usage;
  cost?: number;
}

/**
 * One operation inside a trace. Created by `trace.startSpan()`, `span.startSpan()`
 * or `span(name, fn)`; never constructed directly.
 */
export class Span implements ContextCarrier {
  readonly isContextCarrier = true as const;
  readonly traceId: string;
  readonly parentId: string | null;
  readonly trace: Trace;
  /** False when the trace is unsampled or a limit was hit: the span only carries ids. */
  readonly isRecording: boolean;
  name: string;
  kind: SpanKind;
  status: Status = 'unset';
  statusMessage: string | undefined = undefined;
  startTime: number;
  endTime = 0;
  attributes: Attributes;
  tags: string[] | undefined;
  model: string | undefined;
  provider: string | undefined;
  usage: Usage | undefined = undefined;
  cost: number | undefined = undefined;
  error: SpanData['error'] = undefined;
  private input: unknown = undefined;
  private output: unknown = undefined;
  private hasInput = false;
  private hasOutput = false;
  private signals: SignalData[] | undefined = undefined;
  private events: EventData[] | undefined = undefined;
  private links: LinkData[] | undefined;
  private droppedAttributes = 0;
  /** Kept alongside `attributes` so the limit check never walks the object. */
  private attributeTotal = 0;
  private droppedEvents = 0;
  /** Drawn when first read for a span that records nothing: most are never asked. */
  private ownId: string | undefined;

  /** @internal */
  constructor(
    trace: Trace,
    name: string,
    parentId: string | null,
    recording: boolean,
    options: SpanOptions | undefined,
    id?: string,
  ) {
    this.trace = trace;
    this.traceId = trace.id;
    this.ownId = id ?? (recording ? newSpanId() : undefined);
    this.parentId = parentId;
    this.isRecording = recording;
    this.name = name;
    this.kind = options?.kind ?? 'internal';
    this.startTime = options?.startTime ?? now();
    this.attributes = {};
    this.tags = options?.tags;
    this.model = options?.model;
    this.provider = options?.provider;
    this.links = options?.links;
    if (options !== undefined && recording) {
      if (options.attributes) this.setAttributes(options.attributes);
      if (options.input !== undefined) this.setIO(options.input);
    }
  }

  /** 16 lowercase hex digits. */
  get id(): string {
    if (this.ownId === undefined) this.ownId = newSpanId();
    return this.ownId;
  }

  get isEnded(): boolean {
    return this.endTime !== 0;
  }

  /** Milliseconds from start to end, or to now while the span is open. */
  get durationMs(): number {
    return (this.endTime || now()) - this.startTime;
  }

  /** Starts a child span. */
  startSpan(name: string, options?: SpanOptions): Span {
    return this.trace.startSpan(name, options, this);
  }

  /**
   * Runs `fn` as this span's body: `fn` runs with this span current, the span
   * ends when `fn` returns or its promise settles, and a thrown error is
   * recorded and rethrown unchanged.
   *
   * @example const rows = await db.wrap(() => query('select 1'));
   */
  wrap<R>(fn: (span: Span) => R): R {
    const run = () => fn(this);
    let result: R;
    try {
      result = this.trace.contextEnabled ? runWithCarrier(this, run) : run();
    } catch (error) {
      this.setError(error);
      this.end();
      throw error;
    }
    if (isPromiseLike(result)) {
      return result.then(
        (value) => {
          this.end();
          return value;
        },
        (error: unknown) => {
          this.setError(error);
          this.end();
          throw error;
        },
      ) as R;
    }
    this.end();
    return result;
  }

  /** Ends the span; later calls do nothing. */
  end(options?: SpanEndOptions): void {
    if (options !== undefined) checkCallOptions('span.end()', options, SPAN_END_OPTION_NAMES);
    if (this.endTime !== 0) return;
    if (options !== undefined && this.isRecording) {
      if (options.attributes) this.setAttributes(options.attributes);
      if (options.output !== undefined) this.setOutput(options.output);
      if (options.usage) this.usage = normalizeUsage(options.usage);
      if (options.cost !== undefined) this.cost = options.cost;
      if (options.status) this.setStatus(options.status, options.statusMessage);
    }
    // A cost the user gave always wins; otherwise it comes from the price table.
    if (this.usage !== undefined && this.cost === undefined && this.model !== undefined) {
      this.cost = computeCost(this.model, this.usage, this.trace.prices);
    }
    this.endTime = Math.max(options?.endTime ?? now(), this.startTime);
  }

  /** Merges attributes; `undefined` values are ignored, limits apply. */
  setAttributes(attributes: Attributes): this {
    if (!this.isRecording) return this;
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (!this.isRecording || value === undefined) return this;
    const limits = this.trace.limits;
    const isNew = !(key in this.attributes);
    if (isNew && this.attributeTotal >= limits.maxAttributesPerSpan) {
      this.droppedAttributes++;
      this.trace.dropped.attributes++;
      return this;
    }
    if (isNew) this.attributeTotal++;
    if (typeof value === 'string') {
      if (value.length > limits.maxAttributeValueLength) {
        value = value.slice(0, limits.maxAttributeValueLength);
        this.trace.dropped.truncatedAttributes++;
      }
    } else if (Array.isArray(value) && !fitsLength(value, limits.maxAttributeValueLength)) {
      value = truncateEach(value, limits.maxAttributeValueLength);
      this.trace.dropped.truncatedAttributes++;
    }
    this.attributes[key] = value;
    return this;
  }

  /**
   * @internal Takes `attributes`, a fresh object the caller built and lets go
   * of, as this span's own: one object instead of a store per key. Falls back
   * to `setAttributes` (limits, counting) unless the span has none yet and
   * every value is defined and within the limits.
   */
  adoptAttributes(attributes: Attributes): void {
    if (!this.isRecording) return;
    const limits = this.trace.limits;
    let count = 0;
    let fits = this.attributeTotal === 0;
    for (const key in attributes) {
      const value = attributes[key];
      count++;
      if (
        value === undefined ||
        (typeof value === 'string'
          ? value.length > limits.maxAttributeValueLength
          : Array.isArray(value) && !fitsLength(value, limits.maxAttributeValueLength))
      ) {
        fits = false;
        break;
      }
    }
    if (!fits || count > limits.maxAttributesPerSpan) {
      this.setAttributes(attributes);
      return;
    }
    this.attributes = attributes;
    this.attributeTotal = count;
  }

  /** Records the operation's input and, optionally, its output (any JSON value). */
  setIO(input: unknown, output?: unknown): this {
    if (!this.isRecording) return this;
    this.input = input;
    this.hasInput = true;
    if (output !== undefined) this.setOutput(output);
    return this;
  }

  setOutput(output: unknown): this {
    if (!this.isRecording) return this;
    this.output = output;
    this.hasOutput = true;
    return this;
  }

  /** Records an error (message, type, stack) and marks the span as errored. */
  setError(error: unknown): this {
    if (!this.isRecording) return this;
    this.error = errorData(error);
    this.status = 'error';
    this.statusMessage = this.error.message;
    return this;
  }

  setStatus(status: Status, message?: string): this {
    this.status = status;
    if (message !== undefined) this.statusMessage = message;
    return this;
  }

  /**
   * Adds a named metric to the span; its type is detected from the value when
   * not given.
   *
   * @example span.addSignal('relevance', 0.82); span.addSignal('cache_hit', true);
   */
  addSignal(name: string, value: number | boolean, type?: 'numeric' | 'boolean'): this {
    if (!this.isRecording) return this;
    if (!this.hasRoomForEvent()) return this;
    const signal: SignalData = {
      name,
      value,
      type: type ?? (typeof value === 'boolean' ? 'boolean' : 'numeric'),
      time: now(),
    };
    if (this.signals) this.signals.push(signal);
    else this.signals = [signal];
    return this;
  }

  /** Adds a timestamped event (a point in time inside the span). */
  addEvent(name: string, attributes?: Attributes, time?: number): this {
    if (!this.isRecording) return this;
    if (!this.hasRoomForEvent()) return this;
    const event: EventData = { name, time: time ?? now(), attributes };
    if (this.events) this.events.push(event);
    else this.events = [event];
    return this;
  }

  /** Links this span to another trace's span (e.g. an untrusted inbound caller). */
  addLink(link: LinkData): this {
    if (!this.isRecording) return this;
    if (this.links) this.links.push(link);
    else this.links = [link];
    return this;
  }

  /** Changes name, status, model fields; merges attributes; replaces tags. */
  update(fields: SpanUpdate): this {
    if (fields.name !== undefined) this.name = fields.name;
    if (fields.status !== undefined) this.setStatus(fields.status, fields.statusMessage);
    if (!this.isRecording) return this;
    if (fields.attributes) this.setAttributes(fields.attributes);
    if (fields.tags) this.tags = fields.tags.slice();
    if (fields.model !== undefined) this.model = fields.model;
    if (fields.provider !== undefined) this.provider = fields.provider;
    if (fields.usage) this.usage = normalizeUsage(fields.usage);
    if (fields.cost !== undefined) this.cost = fields.cost;
    return this;
  }

  /** The identity to propagate with this span as the parent. */
  spanContext(): SpanContext {
    return this.trace.contextFor(this);
  }

  /** `traceparent`/`tracestate`/`baggage` headers naming this span as the caller. */
  headers(): Record<string, string> {
    return this.trace.headersFor(this);
  }

  /** Correlated logs attached to this span. */
  get log() {
    return this.trace.loggerFor(this);
  }

  /** The exported shape; input and output are serialised here, not before. */
  toJSON(): SpanData {
    const limits = this.trace.limits;
    const endTime = this.endTime || now();
    const data: SpanData = {
      traceId: this.traceId,
      spanId: this.id,
      parentId: this.parentId,
      name: this.name,
      kind: this.kind,
      status: this.status,
      startTime: this.startTime,
      endTime,
      durationMs: endTime - this.startTime,
      attributes: this.attributes,
    };
    if (this.statusMessage !== undefined) data.statusMessage = this.statusMessage;
    if (this.tags !== undefined && this.tags.length > 0) data.tags = this.tags;
    if (this.hasInput) data.input = this.serialize(this.input, limits.maxIoBytes);
    if (this.hasOutput) data.output = this.serialize(this.output, limits.maxIoBytes);
    if (this.error) data.error = this.error;
    if (this.model !== undefined) data.model = this.model;
    if (this.provider !== undefined) data.provider = this.provider;
    if (this.usage) data.usage = this.usage;
    if (this.cost !== undefined) data.cost = this.cost;
    if (this.signals) data.signals = this.signals;
    if (this.events) data.events = this.events;
    if (this.links) data.links = this.links;
    if (this.droppedAttributes > 0) data.droppedAttributes = this.droppedAttributes;
    if (this.droppedEvents > 0) data.droppedEvents = this.droppedEvents;
    return data;
  }

  /**
   * @internal The span's serialised size, estimated from what it holds
   * (`internal/estimate-size.ts`), for the export queue's byte bound.
   */
  estimateBytes(): number {
    const maxIo = this.trace.limits.maxIoBytes;
    let bytes = SPAN_BASE_BYTES + this.name.length + attributesSize(this.attributes);
    // IO travels as JSON text inside a JSON string: a few escapes on top.
    if (this.hasInput) bytes += ioSize(this.input, maxIo);
    if (this.hasOutput) bytes += ioSize(this.output, maxIo);
    if (this.statusMessage !== undefined) bytes += this.statusMessage.length + 20;
    if (this.tags !== undefined) for (const tag of this.tags) bytes += tag.length + 3;
    if (this.error !== undefined) {
      bytes += 40 + this.error.message.length + this.error.type.length;
      if (this.error.stack !== undefined) bytes += this.error.stack.length + 12;
    }
    if (this.events !== undefined) {
      for (const event of this.events) {
        bytes += 48 + event.name.length + attributesSize(event.attributes);
      }
    }
    if (this.signals !== undefined) {
      for (const signal of this.signals) bytes += 64 + signal.name.length;
    }
    if (this.links !== undefined) {
      for (const link of this.links) bytes += 80 + attributesSize(link.attributes);
    }
    if (this.model !== undefined) bytes += this.model.length + 12;
    if (this.provider !== undefined) bytes += this.provider.length + 15;
    if (this.usage !== undefined) bytes += 80;
    if (this.cost !== undefined) bytes += 20;
    return bytes;
  }

  private serialize(value: unknown, max: number): string {
    const result = serializeIo(value, max);
    if (result.truncated) this.trace.dropped.truncatedIo++;
    return result.text;
  }

  private hasRoomForEvent(): boolean {
    const used = (this.events?.length ?? 0) + (this.signals?.length ?? 0);
    if (used < this.trace.limits.maxEventsPerSpan) return true;
    this.droppedEvents++;
    this.trace.dropped.events++;
    return false;
  }
}

export function normalizeUsage(usage: Usage): Usage {
  const { inputTokens, outputTokens } = usage;
  const totalTokens =
    usage.totalTokens ??
    (inputTokens !== undefined || outputTokens !== undefined
      ? (inputTokens ?? 0) + (outputTokens ?? 0)
      : undefined);
  const result: Usage = {};
  if (inputTokens !== undefined) result.inputTokens = inputTokens;
  if (outputTokens !== undefined) result.outputTokens = outputTokens;
  if (totalTokens !== undefined) result.totalTokens = totalTokens;
  if (usage.cachedInputTokens !== undefined) result.cachedInputTokens = usage.cachedInputTokens;
  if (usage.cacheWriteTokens !== undefined) result.cacheWriteTokens = usage.cacheWriteTokens;
  if (usage.reasoningTokens !== undefined) result.reasoningTokens = usage.reasoningTokens;
  return result;
}

/** The fixed fields of a serialised span: ids, kind, status, times, key names. */
const SPAN_BASE_BYTES = 240;

function ioSize(value: unknown, maxIo: number): number {
  const size = valueSize(value, maxIo);
  return size + (size >> 3) + 12;
}

export function isPromiseLike<T>(value: unknown): value is Promise<T> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Every string of an array attribute (captured headers) within the length limit. */
function fitsLength(values: readonly AttributeScalar[], max: number): boolean {
  for (const value of values) if (typeof value === 'string' && value.length > max) return false;
  return true;
}

/** Each string of an array attribute cut to the limit; counted once per attribute. */
function truncateEach(values: readonly AttributeScalar[], max: number): AttributeScalar[] {
  return values.map((value) =>
    typeof value === 'string' && value.length > max ? value.slice(0, max) : value,
  );
}
