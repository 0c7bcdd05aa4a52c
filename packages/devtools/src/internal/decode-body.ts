import { fromOtlpTraces } from '@tracewire/otlp';
import { fromOtlpLogs } from './from-otlp-logs';
import {
  isObject,
  type NormalizedBatch,
  normalizeBatch,
  normalizeTrace,
  PayloadError,
} from './normalize';

/** Which endpoint a body came to. */
export type Ingest = 'native' | 'otlp-traces' | 'otlp-logs';

/**
 * Any endpoint takes either format, told apart by its top-level keys: native
 * exporters are often pointed at `/v1/traces` out of habit.
 */
export function decodeBody(body: unknown, kind: Ingest): NormalizedBatch {
  const looksOtlp = isObject(body) && ('resourceSpans' in body || 'resourceLogs' in body);
  const looksNative = isObject(body) && ('traces' in body || 'logs' in body);
  if (looksOtlp || (kind !== 'native' && !looksNative)) {
    if (!isObject(body) || Array.isArray(body)) {
      throw new PayloadError(
        kind === 'otlp-logs'
          ? 'expected an OTLP/JSON ExportLogsServiceRequest ({ "resourceLogs": [...] })'
          : 'expected an OTLP/JSON ExportTraceServiceRequest ({ "resourceSpans": [...] })',
      );
    }
    const batch: NormalizedBatch = { traces: [], logs: [], rejected: 0 };
    if ('resourceSpans' in body || kind === 'otlp-traces') {
      let traces: unknown[];
      try {
        traces = fromOtlpTraces(body);
      } catch (error) {
        throw new PayloadError(`the OTLP traces could not be read: ${(error as Error).message}`);
      }
      for (const raw of traces) {
        const trace = normalizeTrace(raw);
        if (trace) batch.traces.push(trace);
        else batch.rejected++;
      }
    }
    if ('resourceLogs' in body || kind === 'otlp-logs') batch.logs.push(...fromOtlpLogs(body));
    return batch;
  }
  return normalizeBatch(body);
}
