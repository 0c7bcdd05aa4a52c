import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import { createTracer, memoryExporter, type SpanData, type TraceData } from '@tracewire/core';
import { waitForTraces } from '@tracewire/core/testing';

/**
 * The @opentelemetry/api package these tests run against: 1.9 in the
 * `opentelemetry` project, 1.3.0 (the lowest supported) in `opentelemetry-api13`
 * and the newest 1.x in `opentelemetry-api-latest`, where `@opentelemetry/api`
 * is resolved to it.
 */
export const apiPackage = process.env.TRACEWIRE_OTEL_API ?? '@opentelemetry/api';

/** The CommonJS copy of the same API, as an app that `require()`s it gets it. */
export function requireApi(): typeof OtelApi {
  const require = createRequire(import.meta.url);
  const resolved = require
    .resolve(apiPackage)
    .replace(/[\\/]build[\\/](esm|esnext)[\\/]/, '/build/src/');
  return require(resolved) as typeof OtelApi;
}

export function memoryTracer(serviceName: string) {
  const exporter = memoryExporter();
  const tracer = createTracer({ serviceName, exporter, batch: { scheduledDelayMs: 5 } });
  return { exporter, tracer };
}

export async function tracesWhere(
  setup: ReturnType<typeof memoryTracer>,
  predicate: (trace: TraceData) => boolean,
  count = 1,
): Promise<TraceData[]> {
  return waitForTraces(setup.tracer, setup.exporter, predicate, count);
}

export function spanNamed(trace: TraceData, name: string): SpanData {
  const span = trace.spans.find((s) => s.name === name);
  if (span === undefined) {
    throw new Error(`no span ${name} in ${trace.spans.map((s) => s.name).join(', ')}`);
  }
  return span;
}
