import type { Tracer as OtelTracer, TracerOptions, TracerProvider } from '@opentelemetry/api';
import { BridgeTracer, type BridgeTracerSettings } from './bridge-tracer';

/** OpenTelemetry's global `TracerProvider`, handing out one bridge tracer per scope. */
export class BridgeTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, BridgeTracer>();

  constructor(private readonly settings: BridgeTracerSettings) {}

  getTracer(name: string, version?: string, _options?: TracerOptions): OtelTracer {
    const scope = typeof name === 'string' && name !== '' ? name : 'unknown';
    const key = version ? `${scope}@${version}` : scope;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new BridgeTracer(scope, version, this.settings);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }
}
