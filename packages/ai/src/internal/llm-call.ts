import {
  type Attributes,
  currentSpan,
  getDefaultTracer,
  type Span,
  type SpanKind,
  type Trace,
  type Tracer,
  type Usage,
  withSpan,
} from '@tracewire/core';

/** Options every `observe*` wrapper takes. */
export interface ObserveOptions {
  /**
   * The tracer for calls made outside any trace (each becomes a trace of its own).
   * Inside a trace, the call is a child of the current span. Default: the default tracer.
   */
  tracer?: Tracer;
  /** Record prompts and completions as span input/output. Default true. */
  captureContent?: boolean;
  /** Extra attributes on every span this client makes. */
  attributes?: Attributes;
}

/** What an instrumented call knows before it is made. */
export interface CallStart {
  name: string;
  kind: SpanKind;
  provider: string;
  model: string | undefined;
  input: unknown;
  attributes: Attributes;
}

/** What a finished (or failed part-way) call produced. */
export interface CallResult {
  model?: string | undefined;
  output?: unknown;
  usage?: Usage | undefined;
  attributes?: Attributes;
}

const streamsNeverRead = new FinalizationRegistry<LlmCall>((call) =>
  call.cancel('stream was never read'),
);

/**
 * One model call as a span: a child of the current span, or the root of a trace
 * of its own outside one. Ends exactly once; never throws.
 */
export class LlmCall {
  readonly span: Span;
  private readonly ownTrace: Trace | undefined;
  private readonly started: number;
  private readonly captureContent: boolean;
  private ended = false;
  private firstTokenSeen = false;

  constructor(start: CallStart, options: ObserveOptions) {
    this.captureContent = options.captureContent !== false;
    const spanOptions = {
      kind: start.kind,
      provider: start.provider,
      attributes: { ...options.attributes, ...start.attributes },
      ...(start.model !== undefined ? { model: start.model } : {}),
      ...(this.captureContent && start.input !== undefined ? { input: start.input } : {}),
    };
    const parent = currentSpan();
    if (parent !== undefined) {
      this.span = parent.startSpan(start.name, spanOptions);
    } else {
      this.ownTrace = (options.tracer ?? getDefaultTracer()).startTrace({
        name: start.name,
        kind: start.kind,
        spanAttributes: spanOptions.attributes,
        input: spanOptions.input,
      });
      this.span = this.ownTrace.rootSpan;
      this.span.update({ provider: start.provider, model: start.model });
    }
    this.started = this.span.startTime;
  }

  /** Runs `fn` (the SDK call) with this call's span current, so its HTTP request nests under it. */
  run<R>(fn: () => R): R {
    return withSpan(this.span, fn);
  }

  /** Marks the first streamed token: time to first token, as an attribute and an event. */
  firstToken(): void {
    if (this.firstTokenSeen || this.ended) return;
    this.firstTokenSeen = true;
    const at = Date.now();
    this.span.setAttribute('gen_ai.response.time_to_first_token_ms', at - this.started);
    this.span.addEvent('gen_ai.first_token', undefined, at);
  }

  /** Ends the span at the stream's end, when a stream object is collected unread. */
  watchUnread(stream: object): void {
    streamsNeverRead.register(stream, this, this);
  }

  succeed(result: CallResult): void {
    if (this.ended) return;
    this.apply(result);
    this.finish('ok');
  }

  /** The call failed (an API error, a dropped connection) or was aborted by its caller. */
  fail(error: unknown, partial?: CallResult): void {
    if (this.ended) return;
    if (partial) this.apply(partial);
    if (isAbort(error)) {
      this.span.setAttribute('error.type', 'aborted');
      this.finish('cancelled', 'aborted by the caller');
      return;
    }
    this.span.setError(error);
    const e = error as { status?: unknown; type?: unknown; code?: unknown };
    const attributes: Attributes = {
      'error.type': stringOr(e.type) ?? stringOr(e.code) ?? errorName(error),
    };
    if (typeof e.status === 'number') attributes['http.response.status_code'] = e.status;
    this.span.setAttributes(attributes);
    this.finish('error');
  }

  /** The caller stopped reading a stream before its end. */
  cancel(reason: string, partial?: CallResult): void {
    if (this.ended) return;
    if (partial) this.apply(partial);
    this.finish('cancelled', reason);
  }

  private apply(result: CallResult): void {
    try {
      if (result.attributes) this.span.setAttributes(result.attributes);
      if (result.model !== undefined) this.span.update({ model: result.model });
      if (result.usage !== undefined) this.span.update({ usage: result.usage });
      if (this.captureContent && result.output !== undefined) this.span.setOutput(result.output);
    } catch {
      // Describing a response must never break the caller's request.
    }
  }

  private finish(status: 'ok' | 'error' | 'cancelled', message?: string): void {
    this.ended = true;
    streamsNeverRead.unregister(this);
    if (this.ownTrace) {
      if (status !== 'error') this.span.setStatus(status, message);
      void this.ownTrace.end();
    } else {
      this.span.end(status === 'error' ? undefined : { status, statusMessage: message });
    }
  }
}

function isAbort(error: unknown): boolean {
  const name = errorName(error);
  return name === 'APIUserAbortError' || name === 'AbortError';
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.constructor?.name || error.name || 'Error';
  return typeof error;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
