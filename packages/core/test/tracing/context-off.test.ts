import type { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isUntraced, runUntraced, runWithCarrier } from '../../src/context/storage';
import { httpExporter } from '../../src/export/http-exporter';
import { globalState } from '../../src/internal/global';
import { createTracer } from '../../src/tracer';
import { closedPortUrl, startCollector } from '../export/helpers/collector';

/** Core's one AsyncLocalStorage, the process-wide singleton. */
const storage = () => globalState().als as AsyncLocalStorage<unknown>;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('context: false never enters AsyncLocalStorage', () => {
  it('records, exports over HTTP and retries without a single AsyncLocalStorage.run()', async () => {
    const collector = await startCollector();
    const dead = await closedPortUrl();
    const run = vi.spyOn(storage(), 'run');
    try {
      for (const url of [collector.url, dead]) {
        const tracer = createTracer({
          serviceName: 'no-context',
          context: false,
          exporter: httpExporter({ url }),
          batch: { retryInitialDelayMs: 1, retryMaxDelayMs: 2, maxRetries: 1 },
          onError: () => {},
        });
        const trace = tracer.startTrace({ name: 'job' });
        trace.run(() => trace.startSpan('step').wrap(() => 'done'));
        await trace.end({ urgent: true });
        await tracer.shutdown();
      }
      expect(collector.acceptedTraceIds()).toHaveLength(1);
      // On Node 20 one run() anywhere switches on promise hooks for the whole process.
      expect(run).not.toHaveBeenCalled();
    } finally {
      await collector.close();
    }
  });

  it('still leaves a caller context behind when one is active', () => {
    const carrier = { isContextCarrier: true as const };
    expect(runUntraced(() => isUntraced())).toBe(false);
    expect(runWithCarrier(carrier, () => runUntraced(() => isUntraced()))).toBe(true);
  });
});
