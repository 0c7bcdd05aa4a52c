import type { QueuedTrace } from '../../../src/export/pipeline';
import type { LogData, TraceData } from '../../../src/types';

let counter = 0;

export interface FakeTrace extends QueuedTrace {
  /** How many times the pipeline called toJSON(). */
  readonly serialised: number;
}

/** A finished trace as the pipeline sees it, with a unique 32-hex id. */
export function fakeTrace(
  options: { spanCount?: number; bytes?: number; throwOnToJSON?: boolean; id?: string } = {},
): FakeTrace {
  counter++;
  const id = options.id ?? counter.toString(16).padStart(32, '0');
  const spanCount = options.spanCount ?? 1;
  let serialised = 0;
  return {
    id,
    spanCount,
    estimatedBytes: options.bytes ?? 100,
    get serialised() {
      return serialised;
    },
    toJSON(): TraceData {
      serialised++;
      if (options.throwOnToJSON) throw new Error(`cannot serialise ${id}`);
      const rootSpanId = id.slice(16);
      return {
        schemaVersion: 1,
        id,
        name: 'GET /things/:id',
        serviceName: 'test',
        status: 'ok',
        startTime: 1_700_000_000_000,
        endTime: 1_700_000_000_005,
        durationMs: 5,
        rootSpanId,
        tags: [],
        attributes: {},
        spans: Array.from({ length: spanCount }, (_, i) => ({
          traceId: id,
          spanId: i === 0 ? rootSpanId : `${i}`.padStart(16, 'a'),
          parentId: i === 0 ? null : rootSpanId,
          name: i === 0 ? 'GET /things/:id' : `child ${i}`,
          kind: i === 0 ? ('server' as const) : ('internal' as const),
          status: 'ok' as const,
          startTime: 1_700_000_000_000,
          endTime: 1_700_000_000_005,
          durationMs: 5,
          attributes: {},
        })),
        logs: [],
        dropped: {
          spans: 0,
          attributes: 0,
          truncatedAttributes: 0,
          events: 0,
          logs: 0,
          truncatedIo: 0,
        },
        sdk: { name: '@tracewire/core', version: '0.0.0-test' },
      };
    },
  };
}

export function fakeLog(message: string): LogData {
  return { level: 'info', message, time: Date.now(), serviceName: 'test' };
}
