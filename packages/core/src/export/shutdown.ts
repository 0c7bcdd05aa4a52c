import { singleton } from '../internal/global';

/** Anything that can be shut down with a deadline: a tracer or an export pipeline. */
export interface ShutdownTarget {
  shutdown(timeoutMs?: number): Promise<void>;
}

/** The part of `process` the hooks use; replaceable for tests and embedders. */
export interface ShutdownProcess {
  readonly pid: number;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  listenerCount(event: string): number;
  kill(pid: number, signal: NodeJS.Signals): unknown;
}

export interface RegisterShutdownOptions {
  /** Signals that trigger a graceful shutdown. Default `['SIGTERM', 'SIGINT']`. */
  signals?: NodeJS.Signals[];
  /** How long a signal waits for the shutdown before the process goes on exiting. Default 5000. */
  timeoutMs?: number;
  /** Also shut down when the event loop runs dry (`beforeExit`). Default true. */
  beforeExit?: boolean;
  /** The process to hook; defaults to the global `process`. */
  process?: ShutdownProcess;
}

const DEFAULT_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
const DEFAULT_TIMEOUT_MS = 5000;

/** Per process object, per target: registering twice returns the first disposer. */
const registry = singleton(
  'shutdown.registry',
  () => new WeakMap<object, WeakMap<ShutdownTarget, () => void>>(),
);

/**
 * Shuts `target` down gracefully on SIGTERM/SIGINT and when the process is about
 * to exit naturally, so queued traces are delivered. After a signal's shutdown
 * (bounded by `timeoutMs`) the hook removes itself and, if nobody else listens
 * for that signal, raises it again so the process exits the way it would have
 * without tracewire. A second identical signal during shutdown exits at once.
 * Returns a function that removes the hooks.
 *
 * @example
 * const tracer = createTracer({ serviceName: 'api', exporter: httpExporter({ url }) });
 * registerShutdown(tracer, { timeoutMs: 5000 });
 */
export function registerShutdown(
  target: ShutdownTarget,
  options: RegisterShutdownOptions = {},
): () => void {
  if (target === null || typeof target !== 'object' || typeof target.shutdown !== 'function') {
    throw new TypeError(
      'registerShutdown: pass a tracer or an export pipeline (an object with a shutdown(timeoutMs) method).',
    );
  }
  const proc: ShutdownProcess = options.process ?? process;
  const signals = options.signals ?? DEFAULT_SIGNALS;
  if (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string')) {
    throw new TypeError(
      "registerShutdown: `signals` must be an array of signal names, such as ['SIGTERM', 'SIGINT'].",
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(
      `registerShutdown: \`timeoutMs\` must be a non-negative number of milliseconds (got ${String(timeoutMs)}); leave it out for the default ${DEFAULT_TIMEOUT_MS}.`,
    );
  }

  let byTarget = registry.get(proc);
  if (byTarget === undefined) {
    byTarget = new WeakMap();
    registry.set(proc, byTarget);
  }
  const existing = byTarget.get(target);
  if (existing !== undefined) return existing;

  const listeners = new Map<string, (...args: unknown[]) => void>();
  let shuttingDown: Promise<void> | undefined;

  /** Bounded by our own (ref'd) timer too, in case the target ignores its deadline. */
  const shutdownOnce = (): Promise<void> => {
    if (shuttingDown === undefined) {
      shuttingDown = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs + 100);
        let pending: Promise<void>;
        try {
          pending = Promise.resolve(target.shutdown(timeoutMs));
        } catch {
          pending = Promise.resolve();
        }
        pending
          .catch(() => undefined)
          .then(() => {
            clearTimeout(timer);
            resolve();
          });
      });
    }
    return shuttingDown;
  };

  const unhook = (event: string) => {
    const listener = listeners.get(event);
    if (listener === undefined) return;
    listeners.delete(event);
    proc.off(event, listener);
  };

  const reraise = (signal: NodeJS.Signals) => {
    unhook(signal);
    if (proc.listenerCount(signal) > 0) return;
    try {
      proc.kill(proc.pid, signal);
    } catch {
      // Nothing sensible is left to do; the app's own handlers decide.
    }
  };

  for (const signal of signals) {
    if (listeners.has(signal)) continue;
    let received = false;
    const listener = () => {
      if (received) {
        // Pressed twice (Ctrl-C Ctrl-C): stop waiting and exit now.
        reraise(signal);
        return;
      }
      received = true;
      void shutdownOnce().then(() => reraise(signal));
    };
    listeners.set(signal, listener);
    proc.on(signal, listener);
  }

  if (options.beforeExit !== false) {
    // `beforeExit` fires again once our shutdown's work is done; the hook runs once.
    const listener = () => {
      unhook('beforeExit');
      void shutdownOnce();
    };
    listeners.set('beforeExit', listener);
    proc.on('beforeExit', listener);
  }

  const dispose = () => {
    for (const event of [...listeners.keys()]) unhook(event);
    byTarget.delete(target);
  };
  byTarget.set(target, dispose);
  return dispose;
}
