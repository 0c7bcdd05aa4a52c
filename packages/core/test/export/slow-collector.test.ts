import { afterEach, describe, expect, it } from 'vitest';
import { httpExporter } from '../../src/export/http-exporter';
import type { ExportProblem } from '../../src/export/pipeline';
import { createTracer } from '../../src/tracer';
import { type Collector, startCollector } from './helpers/collector';

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a slow but healthy collector', () => {
  it('receives a burst of 10,000 traces over 2 s whole, though each request takes 200 ms', async () => {
    collector = await startCollector(() => ({ status: 200, delayMs: 200 }));
    const problems: ExportProblem[] = [];
    // Default batch settings: what a user gets without tuning.
    const tracer = createTracer({
      serviceName: 'busy-api',
      exporter: httpExporter({ url: collector.url }),
      onError: (problem) => problems.push(problem),
    });
    const ids: string[] = [];
    for (let tick = 0; tick < 200; tick++) {
      for (let i = 0; i < 50; i++) {
        const trace = tracer.startTrace({ name: 'GET /orders/:id', kind: 'server' });
        trace.rootSpan.setAttributes({ 'http.request.method': 'GET', 'url.path': `/orders/${i}` });
        trace.startSpan('db.query').end();
        ids.push(trace.id);
        void trace.end();
      }
      await sleep(10);
    }
    await tracer.flush(60_000);

    const stats = tracer.stats();
    expect(problems).toEqual([]);
    expect(stats.tracesDropped).toEqual({
      'queue-full': 0,
      rejected: 0,
      'retries-exhausted': 0,
      shutdown: 0,
      'serialize-failed': 0,
    });
    expect(stats.tracesExported).toBe(10_000);
    const accepted = collector.acceptedTraceIds();
    expect(accepted).toHaveLength(10_000);
    expect(new Set(accepted)).toEqual(new Set(ids));
    // Never a split trace: every request carried whole traces with both spans.
    for (const request of collector.requests) {
      for (const trace of request.json.traces) expect(trace.spans).toHaveLength(2);
    }
    await tracer.shutdown();
  }, 60_000);
});
