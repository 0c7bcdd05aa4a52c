import { createTracer, type Trace, type Tracer } from '@tracewire/core';

let fallbackTracer: Tracer | undefined;

/** Core could not open a trace (an internal failure): the handles still work, recording nothing. */
export function untracedTrace(): Trace {
  fallbackTracer ??= createTracer({ serviceName: 'tracewire-untraced', enabled: false });
  return fallbackTracer.startTrace({ name: 'untraced', sampled: false });
}
