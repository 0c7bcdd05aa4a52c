import { createTracer, memoryExporter, type TraceData } from '@tracewire/core';

/** A tracer exporting to memory, and `traced(fn)`: the trace `fn` ran in, once exported. */
export function memoryTracer() {
  const exporter = memoryExporter();
  const tracer = createTracer({ serviceName: 'chat', exporter, batch: { scheduledDelayMs: 5 } });
  const traced = async (fn: () => Promise<unknown>): Promise<TraceData> => {
    let id = '';
    await tracer.trace('turn', async (trace) => {
      id = trace.id;
      await fn();
    });
    return exporter.find(id)!;
  };
  return { exporter, tracer, traced };
}
