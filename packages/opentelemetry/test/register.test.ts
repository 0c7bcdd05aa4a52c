import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { registerOpenTelemetry } from '@tracewire/opentelemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTracer } from './support';

const { tracer } = memoryTracer('otel-register');

/** Another SDK's provider: its spans are its own, not tracewire's. */
const otherProvider: TracerProvider = {
  getTracer: (): Tracer =>
    ({
      startSpan: () =>
        trace.wrapSpanContext({ traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceFlags: 1 }),
      startActiveSpan: () => undefined,
    }) as unknown as Tracer,
};

afterEach(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('registerOpenTelemetry', () => {
  it('registers once: a second call is a no-op returning the same unregister', async () => {
    const unregister = registerOpenTelemetry({ tracer });
    expect(registerOpenTelemetry({ tracer })).toBe(unregister);
    await tracer.trace('registered', () => {
      expect(trace.getActiveSpan()?.isRecording()).toBe(true);
    });
    unregister();
    await tracer.trace('unregistered', () => {
      expect(trace.getActiveSpan()).toBeUndefined();
    });
    // Registering again after unregister works.
    const again = registerOpenTelemetry({ tracer });
    expect(again).not.toBe(unregister);
    again();
  });

  it('fails with a clear error when another provider is registered, and leaves it in place', () => {
    expect(trace.setGlobalTracerProvider(otherProvider)).toBe(true);
    expect(() => registerOpenTelemetry({ tracer })).toThrow(
      /another OpenTelemetry TracerProvider is already registered.*replace: true/,
    );
    const span: Span = trace.getTracer('x').startSpan('s');
    expect(span.spanContext().traceId).toBe('f'.repeat(32));
    // Nothing half-registered: the context manager is still OpenTelemetry's no-op one.
    expect(context.active()).toBe(ROOT_CONTEXT);
  });

  it('replaces another provider when told to', async () => {
    trace.setGlobalTracerProvider(otherProvider);
    const unregister = registerOpenTelemetry({ tracer, replace: true });
    await tracer.trace('replaced', () => {
      const span = trace.getTracer('x').startSpan('s');
      expect(span.spanContext().traceId).not.toBe('f'.repeat(32));
      expect(span.isRecording()).toBe(true);
      span.end();
    });
    unregister();
  });

  it('rejects bad options at once, with how to fix them', () => {
    expect(() => registerOpenTelemetry({ tracer: {} as never })).toThrow(/createTracer/);
    expect(() => registerOpenTelemetry({ startTraces: 'all' as never })).toThrow(/startTraces/);
  });
});
