import { checkOptions, is, type OptionTable } from './options-check';

const limit = is.oneOf(is.nonNegative);

/** Batching options of the export queue (`createTracer({ batch })`), one line each. */
export const BATCH_OPTIONS: OptionTable = {
  maxQueueTraces: limit,
  maxQueueBytes: limit,
  maxQueueLogs: limit,
  maxBatchTraces: limit,
  maxBatchBytes: limit,
  maxBatchLogs: limit,
  maxConcurrentExports: limit,
  scheduledDelayMs: limit,
  exportTimeoutMs: limit,
  maxRetries: limit,
  retryInitialDelayMs: limit,
  retryMaxDelayMs: limit,
  flushTimeoutMs: limit,
};

const exporter = is.withMethods('an exporter (an object with export(batch))', 'export');

/**
 * Every option of `createTracer()`, one line each: adding an option is adding
 * a line here. Values with rules of their own (the sampler, limits) are checked
 * again, precisely, where they are used.
 */
export const TRACER_OPTIONS: OptionTable = {
  serviceName: is.nonEmptyString,
  environment: is.string,
  exporter: is.oneOf(exporter, {
    expected: 'an array of exporters',
    test: (v) => Array.isArray(v) && v.every((e) => exporter.test(e)),
  }),
  sampler: is.oneOf(
    is.literal('always', 'never'),
    is.number,
    is.withMethods('a Sampler', 'shouldSample'),
  ),
  tail: is.object({ keepErrors: is.boolean, slowerThanMs: is.nonNegative, ratio: is.number }),
  limits: is.object({
    maxSpansPerTrace: limit,
    maxAttributesPerSpan: limit,
    maxAttributeValueLength: limit,
    maxIoBytes: limit,
    maxEventsPerSpan: limit,
    maxLogsPerTrace: limit,
  }),
  redact: is.object({
    queryParams: is.stringArray,
    headers: is.stringArray,
    replacement: is.string,
  }),
  context: is.boolean,
  batch: is.object(BATCH_OPTIONS),
  onError: is.function,
  enabled: is.boolean,
  maxTracesPerSecond: is.nonNegative,
  mask: is.function,
  // Keyed by model name; each price is checked where the table is built (resolvePrices).
  prices: {
    expected: "a table of model prices, e.g. { 'my-model': { input: 0.3, output: 1.2 } }",
    test: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  },
  outgoing: is.oneOf(
    is.boolean,
    is.object({
      propagateTo: is.oneOf(
        {
          expected: 'an array of hosts and RegExps',
          test: (v) =>
            Array.isArray(v) && v.every((e) => typeof e === 'string' || e instanceof RegExp),
        },
        is.function,
      ),
    }),
  ),
};

/** Throws on an unknown key or a wrong type in `createTracer()`'s options. */
export function checkTracerOptions(options: unknown): void {
  checkOptions('createTracer()', options, TRACER_OPTIONS);
}

/** Option names per call, for `checkCallOptions`. */
export const TRACE_OPTION_NAMES: ReadonlySet<string> = new Set([
  'name',
  'serviceName',
  'environment',
  'sessionId',
  'userId',
  'referenceId',
  'tags',
  'attributes',
  'spanAttributes',
  'status',
  'parent',
  'kind',
  'input',
  'links',
  'startTime',
  'sampled',
]);

export const SPAN_OPTION_NAMES: ReadonlySet<string> = new Set([
  'kind',
  'attributes',
  'tags',
  'input',
  'model',
  'provider',
  'links',
  'startTime',
]);

export const SPAN_END_OPTION_NAMES: ReadonlySet<string> = new Set([
  'status',
  'statusMessage',
  'attributes',
  'output',
  'usage',
  'cost',
  'endTime',
]);

export const RECORDED_EVENT_NAMES: ReadonlySet<string> = new Set([
  'name',
  'kind',
  'traceId',
  'spanId',
  'parentId',
  'startTime',
  'endTime',
  'durationMs',
  'status',
  'attributes',
  'tags',
  'input',
  'output',
  'error',
  'model',
  'provider',
  'usage',
  'cost',
  'sessionId',
  'userId',
]);
