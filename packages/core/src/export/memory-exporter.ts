import type { ExportBatch, Exporter, ExportResult, LogData, TraceData } from '../types';

/** An exporter that keeps what it receives in memory, for tests. */
export interface MemoryExporter extends Exporter {
  readonly name: 'memory';
  /** Finished traces in delivery order. */
  traces(): TraceData[];
  /** Standalone logs (emitted outside any trace) in delivery order. */
  logs(): LogData[];
  /** The delivered trace with this id, if any. */
  find(traceId: string): TraceData | undefined;
  /** Forgets everything received so far. */
  reset(): void;
}

/**
 * Collects exported traces and logs in memory; pair it with `await tracer.flush()`.
 *
 * @example
 * const exporter = memoryExporter();
 * const tracer = createTracer({ serviceName: 'test', exporter });
 * await tracer.trace({ name: 'job' }, () => work());
 * expect(exporter.traces()[0].name).toBe('job');
 */
export function memoryExporter(): MemoryExporter {
  let traces: TraceData[] = [];
  let logs: LogData[] = [];
  return {
    name: 'memory',
    export(batch: ExportBatch): ExportResult {
      traces.push(...batch.traces);
      logs.push(...batch.logs);
      return { ok: true };
    },
    traces: () => traces.slice(),
    logs: () => logs.slice(),
    find: (traceId) => traces.find((t) => t.id === traceId),
    reset() {
      traces = [];
      logs = [];
    },
  };
}
