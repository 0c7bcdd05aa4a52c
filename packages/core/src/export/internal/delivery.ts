/**
 * The promise `trace.end()`, `tracer.record()` and `enqueueTrace()` return. It
 * is a real `Promise`, and it knows when someone waits on it: the first
 * `then` (which `await`, `.catch`, `.finally` and `Promise.all` all call)
 * runs `onAwait` once. That is how the pipeline keeps the process alive, and
 * sends at once, only for a caller who awaits delivery; a server that lets
 * the promise go pays nothing and keeps nothing alive.
 */
export class Delivery<T = void> extends Promise<T> {
  // Promises derived with then/catch/finally are plain ones.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  private onAwait: (() => void) | undefined;

  /** A pending delivery, its resolver, and what to run when it is first awaited. */
  static pending<T = void>(
    onAwait: (() => void) | undefined,
  ): { delivery: Delivery<T>; resolve: (value: T) => void } {
    let resolve!: (value: T) => void;
    const delivery = new Delivery<T>((r) => {
      resolve = r;
    });
    delivery.onAwait = onAwait;
    return { delivery, resolve };
  }

  /** Resolves once every one of `parts` has; awaiting it awaits each of them. */
  static combine(parts: readonly Promise<void>[]): Delivery {
    const { delivery, resolve } = Delivery.pending(() => {
      const done = () => resolve();
      Promise.all(parts).then(done, done);
    });
    return delivery;
  }

  /**
   * Resolves to `value` once `source` settles; awaiting it awaits `source`, so
   * `source` is sent at once only for a caller who waits on the result.
   */
  static yielding<T>(source: Promise<void>, value: T): Delivery<T> {
    const { delivery, resolve } = Delivery.pending<T>(() => {
      source.then(
        () => resolve(value),
        () => resolve(value),
      );
    });
    return delivery;
  }

  // biome-ignore lint/suspicious/noThenProperty: a Promise subclass overriding its own then.
  override then<A = void, B = never>(...callbacks: Parameters<Promise<T>['then']>): Promise<A | B> {
    const hook = this.onAwait;
    if (hook !== undefined) {
      this.onAwait = undefined;
      try {
        hook();
      } catch {
        // Delivery bookkeeping must never fail the awaiting caller.
      }
    }
    return super.then(...callbacks) as Promise<A | B>;
  }
}
