import { checkOptions, is, type OptionTable } from '../validation/options-check';

/** Every option of `HttpTracingOptions`, one line each; adapters add their own beside them. */
export const HTTP_TRACING_OPTIONS: OptionTable = {
  tracer: is.withMethods('a Tracer from createTracer()', 'startTrace', 'flush'),
  trustInbound: is.oneOf(is.boolean, is.function),
  ignore: is.oneOf(
    {
      expected: 'an array of paths and RegExps',
      test: (v) => Array.isArray(v) && v.every((e) => typeof e === 'string' || e instanceof RegExp),
    },
    is.function,
  ),
  name: is.function,
  attributes: is.function,
  captureHeaders: is.object({
    request: is.stringArray,
    response: is.stringArray,
    force: is.stringArray,
  }),
  traceResponse: is.boolean,
};

/** Outgoing instrumentation belongs to the tracer; say where it went. */
const MOVED: OptionTable = {
  outgoing: {
    expected: 'set on the tracer: createTracer({ outgoing })',
    test: () => false,
  },
};

/**
 * Checks an adapter's `tracing()` options: core's, plus the adapter's own
 * (`adapterOptions`). Throws a TypeError naming the closest valid option.
 */
export function checkHttpTracingOptions(
  options: unknown,
  adapterOptions?: OptionTable,
  where = 'tracing()',
): void {
  checkOptions(where, options, {
    ...HTTP_TRACING_OPTIONS,
    ...adapterOptions,
    ...MOVED,
  });
}
