/**
 * Which outgoing calls get trace context: the tracer's `outgoing` option as a
 * policy. Shared by the Node hooks (`client-instrumentation.ts`) and the edge
 * build, which has no hooks but the same option.
 */

/** Options for `instrumentHttpClients()`. */
export interface HttpClientOptions {
  /**
   * Hosts that receive `traceparent`/`tracestate`/`baggage`. Default: every host.
   * Client spans are recorded for every call either way.
   * @example propagateTo: ['127.0.0.1', /\.internal\.example\.com$/]
   */
  propagateTo?: Array<string | RegExp> | ((url: URL) => boolean);
}

/**
 * How one tracer's traces treat their outgoing calls: built once by the tracer
 * from `createTracer({ outgoing })`, read per call from the calling trace, so
 * two tracers in one process keep their own allow-lists.
 */
export interface ClientPolicy {
  readonly propagate: (url: URL) => boolean;
  readonly redactQuery: readonly string[];
  readonly replacement: string;
}

/** The tracer's `outgoing` option as a policy, or undefined when it is `false`. */
export function clientPolicy(
  option: boolean | HttpClientOptions | undefined,
  redact: { queryParams: readonly string[]; replacement: string },
): ClientPolicy | undefined {
  if (option === false) return undefined;
  const propagateTo = option === true || option === undefined ? undefined : option.propagateTo;
  return {
    propagate: compilePropagateTo(propagateTo),
    redactQuery: redact.queryParams,
    replacement: redact.replacement,
  };
}

function compilePropagateTo(option: HttpClientOptions['propagateTo']): (url: URL) => boolean {
  if (option === undefined) return () => true;
  if (typeof option === 'function') return (url) => option(url) === true;
  if (!Array.isArray(option)) {
    throw new TypeError(
      'tracewire: propagateTo must be an array of hosts/RegExps or a function (url) => boolean.',
    );
  }
  return (url) =>
    option.some((entry) =>
      typeof entry === 'string'
        ? entry === url.hostname || entry === url.host
        : entry.test(url.hostname),
    );
}
