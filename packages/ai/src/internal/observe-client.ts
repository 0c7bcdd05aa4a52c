import { type CallResult, type CallStart, LlmCall, type ObserveOptions } from './llm-call';

/** How one SDK method becomes a span. */
export interface Instrumentation {
  /** What the call is, from its request body; undefined leaves the call untraced. */
  start(body: Record<string, unknown>): CallStart | undefined;
  /** What a parsed, non-streamed response says. */
  result(response: unknown, body: Record<string, unknown>): CallResult;
  /** Folds a streamed response's events into a result; `event` returns true on the first token. */
  stream?(body: Record<string, unknown>): StreamAccumulator;
}

export interface StreamAccumulator {
  /** Takes one event; true when it carries the first generated token. */
  add(event: unknown): boolean;
  /** What the events so far add up to. */
  result(): CallResult;
}

/** Dotted method paths (`chat.completions.create`) to their instrumentation. */
export type Routes = Readonly<Record<string, Instrumentation>>;

const instrumented = new WeakSet<object>();

/**
 * A Proxy of `client` whose routed methods are traced. Nothing of the client is
 * patched: other properties are the client's own (functions bound to it, so
 * private fields keep working), `instanceof` holds, and `withOptions()` returns
 * an observed client too.
 */
export function observeClient<T extends object>(
  client: T,
  routes: Routes,
  options: ObserveOptions,
  helperResources: readonly string[] = [],
): T {
  if (client === null || typeof client !== 'object') return client;
  validateOptions(options);
  // Observing an observed client again would record every call twice.
  if (observedClients.has(client)) return client;
  const prefixes = new Set<string>();
  // Resources on the way to a traced method, and resources whose helpers call one.
  for (const path of [...Object.keys(routes), ...helperResources.map((r) => `${r}.*`)]) {
    const parts = path.split('.');
    for (let i = 1; i < parts.length; i++) prefixes.add(parts.slice(0, i).join('.'));
  }
  let root: T;
  const wrap = <O extends object>(target: O, path: string): O => {
    const bound = new Map<PropertyKey, { source: unknown; value: unknown }>();
    return new Proxy(target, {
      get(object, property) {
        const value = Reflect.get(object, property, object);
        if (typeof property !== 'string') return bindTo(object, property, value, bound);
        const childPath = path === '' ? property : `${path}.${property}`;
        const route = routes[childPath];
        if (route !== undefined && typeof value === 'function') {
          return cached(bound, property, value, () =>
            tracedMethod(object, value as AnyFunction, route, options),
          );
        }
        if (prefixes.has(childPath) && value !== null && typeof value === 'object') {
          return cached(bound, property, value, () => wrap(value as object, childPath));
        }
        if (path === '') {
          if (property === 'withOptions' && typeof value === 'function') {
            return cached(
              bound,
              property,
              value,
              () =>
                (...args: unknown[]) =>
                  observeClient(
                    (value as AnyFunction).apply(object, args) as object,
                    routes,
                    options,
                  ),
            );
          }
          // The client's own methods use private fields: they run on the client itself.
          return bindTo(object, property, value, bound);
        }
        // A resource's helpers (`parse`, `stream`, `runTools`) call back into the client
        // through `this._client`: handing them the observed client traces what they send.
        if (property === '_client' && value === client) return root;
        return value;
      },
    });
  };
  root = wrap(client, '');
  observedClients.add(root);
  return root;
}

const observedClients = new WeakSet<object>();

function validateOptions(options: ObserveOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('tracewire: observe options must be an object, e.g. { tracer }.');
  }
  const { tracer, captureContent, attributes } = options;
  if (
    tracer !== undefined &&
    typeof (tracer as { startTrace?: unknown }).startTrace !== 'function'
  ) {
    throw new TypeError(
      'tracewire: options.tracer must be a Tracer from createTracer(), e.g. observeOpenAI(client, { tracer }).',
    );
  }
  if (captureContent !== undefined && typeof captureContent !== 'boolean') {
    throw new TypeError('tracewire: options.captureContent must be true or false.');
  }
  if (attributes !== undefined && (attributes === null || typeof attributes !== 'object')) {
    throw new TypeError(
      "tracewire: options.attributes must be an object, e.g. { 'app.feature': 'chat' }.",
    );
  }
}

type AnyFunction = (...args: unknown[]) => unknown;

function cached(
  cache: Map<PropertyKey, { source: unknown; value: unknown }>,
  key: PropertyKey,
  source: unknown,
  make: () => unknown,
): unknown {
  const hit = cache.get(key);
  if (hit !== undefined && hit.source === source) return hit.value;
  const value = make();
  cache.set(key, { source, value });
  return value;
}

function bindTo(
  object: object,
  key: PropertyKey,
  value: unknown,
  cache: Map<PropertyKey, { source: unknown; value: unknown }>,
): unknown {
  if (typeof value !== 'function') return value;
  // Classes stay as they are (`new client.SomeClass()`); methods run on the real client.
  if (/^class[\s{]/.test(Function.prototype.toString.call(value))) return value;
  return cached(cache, key, value, () => (value as AnyFunction).bind(object));
}

function tracedMethod(
  resource: object,
  method: AnyFunction,
  route: Instrumentation,
  options: ObserveOptions,
): AnyFunction {
  return function traced(this: unknown, ...args: unknown[]) {
    const body = args[0];
    let call: LlmCall | undefined;
    try {
      const start =
        body !== null && typeof body === 'object'
          ? route.start(body as Record<string, unknown>)
          : undefined;
      if (start !== undefined) call = new LlmCall(start, options);
    } catch {
      call = undefined;
    }
    if (call === undefined) return method.apply(resource, args);
    const active = call;
    let promise: unknown;
    try {
      promise = active.run(() => method.apply(resource, args));
    } catch (error) {
      active.fail(error);
      throw error;
    }
    return observeResponse(promise, active, route, body as Record<string, unknown>);
  };
}

/**
 * The SDK's own promise, seen through a Proxy: awaiting it, `.withResponse()` and
 * `.parse()` observe the parsed response (our handler is attached to the SDK's
 * memoised parse before the caller's, so a stream is instrumented before the
 * caller gets it); `.asResponse()` hands the raw body to the caller untouched.
 */
function observeResponse(
  promise: unknown,
  call: LlmCall,
  route: Instrumentation,
  body: Record<string, unknown>,
): unknown {
  if (
    promise === null ||
    typeof promise !== 'object' ||
    typeof (promise as PromiseLike<unknown>).then !== 'function'
  ) {
    call.fail(new TypeError('the SDK method did not return a promise'));
    return promise;
  }
  const target = promise as { parse?: () => Promise<unknown>; asResponse?: () => Promise<unknown> };
  let observing = false;
  const observe = () => {
    if (observing) return;
    observing = true;
    const parsed =
      typeof target.parse === 'function' ? target.parse() : (promise as Promise<unknown>);
    parsed.then(
      (data) => onParsed(data, call, route, body),
      (error: unknown) => call.fail(error),
    );
  };
  const bound = new Map<PropertyKey, { source: unknown; value: unknown }>();
  return new Proxy(promise, {
    get(object, property) {
      const value = Reflect.get(object, property, object);
      if (
        property === 'then' ||
        property === 'catch' ||
        property === 'finally' ||
        property === 'parse' ||
        property === 'withResponse'
      ) {
        observe();
      } else if (property === '_thenUnwrap' && typeof value === 'function') {
        // The SDK's helpers (`parse()`) post-process a call's promise: the result is the same call.
        return cached(
          bound,
          property,
          value,
          () =>
            (...args: unknown[]) =>
              observeResponse((value as AnyFunction).apply(object, args), call, route, body),
        );
      } else if (property === 'asResponse' && typeof value === 'function') {
        return cached(bound, property, value, () => () => {
          const raw = (value as AnyFunction).call(object) as Promise<{ status?: number }>;
          raw.then(
            (response) =>
              call.succeed({
                attributes: {
                  'http.response.status_code': response?.status,
                  'tracewire.llm.body_unread': true,
                },
              }),
            (error: unknown) => call.fail(error),
          );
          return raw;
        });
      }
      return bindTo(object, property, value, bound);
    },
  });
}

function onParsed(
  data: unknown,
  call: LlmCall,
  route: Instrumentation,
  body: Record<string, unknown>,
): void {
  try {
    if (body.stream === true && isSdkStream(data)) {
      instrumentStream(data, call, route, body);
      return;
    }
    let result: CallResult = {};
    try {
      result = route.result(data, body);
    } catch {
      // A response we cannot describe is still a successful call.
    }
    call.succeed(result);
  } catch (error) {
    call.fail(error);
  }
}

interface SdkStream {
  iterator: (...args: unknown[]) => AsyncIterator<unknown>;
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
}

function isSdkStream(value: unknown): value is SdkStream {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as SdkStream).iterator === 'function' &&
    typeof (value as SdkStream)[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Replaces this one stream object's `iterator` (the function its async iteration,
 * `tee()` and `toReadableStream()` all read from) with one that watches the
 * events going by. The object stays the SDK's own: same class, same controller.
 */
function instrumentStream(
  stream: SdkStream,
  call: LlmCall,
  route: Instrumentation,
  body: Record<string, unknown>,
): void {
  if (instrumented.has(stream) || route.stream === undefined) {
    if (!instrumented.has(stream)) call.succeed({});
    return;
  }
  instrumented.add(stream);
  const accumulator = route.stream(body);
  const original = stream.iterator;
  call.watchUnread(stream);
  stream.iterator = function observedIterator(this: unknown, ...args: unknown[]) {
    const inner = original.apply(this, args);
    const partial = () => safeResult(accumulator);
    const iterator: AsyncIterableIterator<unknown> = {
      async next(...nextArgs: [] | [unknown]) {
        let step: IteratorResult<unknown>;
        try {
          step = await inner.next(...nextArgs);
        } catch (error) {
          call.fail(error, partial());
          throw error;
        }
        if (step.done) {
          // The SDK ends an aborted stream quietly; its controller tells the two apart.
          if (wasAborted(stream)) call.cancel('aborted by the caller', partial());
          else call.succeed(partial());
        } else {
          try {
            if (accumulator.add(step.value)) call.firstToken();
          } catch {
            // An event we cannot read is still the caller's to have.
          }
        }
        return step;
      },
      async return(value?: unknown) {
        call.cancel('stream closed before its end', partial());
        return inner.return ? inner.return(value) : { done: true, value };
      },
      async throw(error?: unknown) {
        call.fail(error, partial());
        if (inner.throw) return inner.throw(error);
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return iterator;
  };
}

function wasAborted(stream: SdkStream): boolean {
  const controller = (stream as { controller?: { signal?: AbortSignal } }).controller;
  return controller?.signal?.aborted === true;
}

function safeResult(accumulator: StreamAccumulator): CallResult {
  try {
    return accumulator.result();
  } catch {
    return {};
  }
}
