import { context, propagation, trace } from '@opentelemetry/api';
import type { Tracer } from '@tracewire/core';
import { BridgeContextManager } from './bridge-context-manager';
import { BridgePropagator } from './bridge-propagator';
import { BridgeTracerProvider } from './bridge-tracer-provider';

/** Options for `registerOpenTelemetry()`. */
export interface RegisterOpenTelemetryOptions {
  /**
   * The tracer that records OpenTelemetry spans started outside any tracewire
   * trace. Default: the default tracer (`getDefaultTracer()`). Spans started
   * inside a trace always join that trace.
   */
  tracer?: Tracer;
  /**
   * Which OpenTelemetry spans started outside any tracewire trace start a trace
   * of their own. Server, consumer and producer spans always do. Default
   * `{ internal: true, client: false }`: a span you start by hand is recorded,
   * a database or HTTP call made by a background poll is not (it still gets
   * real ids, so its context propagates).
   */
  startTraces?: { internal?: boolean; client?: boolean };
  /**
   * Take over from a TracerProvider, ContextManager or propagator another SDK
   * already registered globally. Default `false`: registering fails with an
   * error saying what is registered.
   */
  replace?: boolean;
}

interface Registration {
  unregister: () => void;
}

const REGISTRATION = Symbol.for('tracewire.opentelemetry.registration');

/**
 * Registers tracewire with the OpenTelemetry API as the global TracerProvider,
 * ContextManager and TextMapPropagator, so libraries instrumented with
 * OpenTelemetry (pg, Redis, Prisma, undici, the Vercel AI SDK, OpenLLMetry)
 * record their spans into the current tracewire trace. Call it once at startup,
 * before those libraries start spans. Registering again is a no-op; the returned
 * function unregisters.
 *
 * @example
 * import { registerOpenTelemetry } from '@tracewire/opentelemetry';
 * registerOpenTelemetry({ tracer });
 */
export function registerOpenTelemetry(options: RegisterOpenTelemetryOptions = {}): () => void {
  const global = globalThis as unknown as Record<symbol, Registration | undefined>;
  const existing = global[REGISTRATION];
  if (existing !== undefined) return existing.unregister;
  const settings = validate(options);
  const provider = new BridgeTracerProvider(settings);
  const manager = new BridgeContextManager();
  const propagator = new BridgePropagator();

  const registered: Array<() => void> = [];
  const rollBack = () => {
    for (const undo of registered.reverse()) undo();
    registered.length = 0;
  };
  const steps: Array<[string, () => boolean, () => void]> = [
    ['TracerProvider', () => trace.setGlobalTracerProvider(provider), () => trace.disable()],
    ['ContextManager', () => context.setGlobalContextManager(manager), () => context.disable()],
    [
      'TextMapPropagator',
      () => propagation.setGlobalPropagator(propagator),
      () => propagation.disable(),
    ],
  ];
  for (const [what, register, disable] of steps) {
    if (register()) {
      registered.push(disable);
      continue;
    }
    if (options.replace === true) {
      disable();
      if (register()) {
        registered.push(disable);
        continue;
      }
    }
    rollBack();
    throw new Error(
      `tracewire: another OpenTelemetry ${what} is already registered (by an OpenTelemetry SDK such as NodeSDK or NodeTracerProvider.register(), or a second version of @opentelemetry/api). Remove that registration so OpenTelemetry-instrumented libraries report into tracewire, or call registerOpenTelemetry({ replace: true }) to take over the global provider, context manager and propagator.`,
    );
  }

  const registration: Registration = {
    unregister() {
      if (global[REGISTRATION] !== registration) return;
      global[REGISTRATION] = undefined;
      rollBack();
    },
  };
  global[REGISTRATION] = registration;
  return registration.unregister;
}

function validate(options: RegisterOpenTelemetryOptions): {
  tracer: Tracer | undefined;
  startTraces: { internal: boolean; client: boolean };
} {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      'tracewire: registerOpenTelemetry takes an options object, e.g. registerOpenTelemetry({ tracer }).',
    );
  }
  const { tracer, startTraces } = options;
  if (tracer !== undefined && (tracer === null || typeof tracer.startTrace !== 'function')) {
    throw new TypeError(
      'tracewire: registerOpenTelemetry({ tracer }) needs a tracer from createTracer().',
    );
  }
  if (startTraces !== undefined && (startTraces === null || typeof startTraces !== 'object')) {
    throw new TypeError(
      'tracewire: startTraces is an object, e.g. registerOpenTelemetry({ startTraces: { client: true } }).',
    );
  }
  return {
    tracer,
    startTraces: {
      internal: startTraces?.internal !== false,
      client: startTraces?.client === true,
    },
  };
}
