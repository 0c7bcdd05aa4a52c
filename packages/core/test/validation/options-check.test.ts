import {
  consoleExporter,
  createTracer,
  httpExporter,
  memoryExporter,
  type Tracer,
} from '@tracewire/core';
import { httpServerTracing, is } from '@tracewire/core/http';
import { afterAll, describe, expect, it } from 'vitest';
import { closestName } from '../../src/validation/options-check';

const tracers: Tracer[] = [];
function tracer(): Tracer {
  const made = createTracer({ serviceName: 'options', exporter: memoryExporter() });
  tracers.push(made);
  return made;
}
afterAll(() => Promise.all(tracers.map((t) => t.shutdown())));

describe('a mistaken option throws where it is written, naming the closest valid one', () => {
  it('tracing(): unknown keys and wrong types', () => {
    expect(() => httpServerTracing({ ignor: ['/health'] } as never)).toThrow(
      /tracing\(\) has no option "ignor"; did you mean "ignore"\?/,
    );
    expect(() => httpServerTracing({ traceResponse: 'yes' } as never)).toThrow(
      /tracing\(\) option "traceResponse" must be true or false, got "yes"/,
    );
    expect(() => httpServerTracing({ captureHeaders: { requests: ['x-id'] } } as never)).toThrow(
      /"captureHeaders.requests"; did you mean "captureHeaders.request"\?/,
    );
    expect(() => httpServerTracing({ ignore: [42] } as never)).toThrow(
      /"ignore" must be an array of paths and RegExps or a function/,
    );
    expect(() => httpServerTracing({ tracer: {} } as never)).toThrow(/a Tracer from createTracer/);
    expect(() => httpServerTracing(null as never)).toThrow(/takes an options object, got null/);
  });

  it('tracing({ outgoing }) points to the tracer, which owns outgoing instrumentation', () => {
    expect(() => httpServerTracing({ outgoing: false } as never)).toThrow(
      /"outgoing" must be set on the tracer: createTracer\(\{ outgoing \}\)/,
    );
  });

  it('an adapter adds its own options beside core’s', () => {
    expect(() =>
      httpServerTracing({ routerErrors: false } as never, { routerErrors: is.boolean }),
    ).not.toThrow();
    expect(() =>
      httpServerTracing({ routerError: false } as never, { routerErrors: is.boolean }),
    ).toThrow(/did you mean "routerErrors"\?/);
  });

  it('createTracer(): exporters, typos and nested options', () => {
    expect(() => createTracer({ serviceName: 'x', exporters: [] } as never)).toThrow(
      /createTracer\(\) has no option "exporters"; tracewire calls it "exporter"/,
    );
    expect(() => createTracer({ serviceName: 'x', sampeler: 0.5 } as never)).toThrow(
      /did you mean "sampler"\?/,
    );
    expect(() => createTracer({ serviceName: 'x', batch: { scheduledDelay: 5 } } as never)).toThrow(
      /"batch.scheduledDelay"; did you mean "batch.scheduledDelayMs"\?/,
    );
    expect(() => createTracer({ serviceName: 'x', context: 'off' } as never)).toThrow(
      /"context" must be true or false/,
    );
    expect(() => createTracer({ serviceName: 'x', exporter: {} } as never)).toThrow(
      /"exporter" must be an exporter/,
    );
    expect(() =>
      createTracer({ serviceName: 'x', outgoing: { propagate: ['a'] } } as never),
    ).toThrow(/did you mean "outgoing.propagateTo"\?/);
  });

  it('the names a migrating user tries first point to tracewire’s', () => {
    const t = tracer();
    expect(() => t.startTrace({ name: 'job', metadata: { a: 1 } } as never)).toThrow(
      /startTrace\(\) has no option "metadata"; tracewire calls it "attributes"/,
    );
    expect(() => t.startTrace({ name: 'job', parentSpanId: 'abc' } as never)).toThrow(
      /tracewire calls it "parent"/,
    );
    const trace = t.startTrace('job');
    expect(() => trace.startSpan('llm', { isAI: true } as never)).toThrow(
      /startSpan\(\) has no option "isAI"; tracewire calls it "kind: 'llm'"/,
    );
    expect(() => trace.startSpan('db', { attrs: {} } as never)).toThrow(
      /tracewire calls it "attributes"/,
    );
    const span = trace.startSpan('llm', { kind: 'llm' });
    expect(() => span.end({ tokens: { input: 3 } } as never)).toThrow(
      /span.end\(\) has no option "tokens"; tracewire calls it "usage"/,
    );
    expect(() => t.record({ name: 'x', parentSpanId: 'a' } as never)).toThrow(
      /record\(\) has no option "parentSpanId"; tracewire calls it "parentId"/,
    );
    span.end();
    trace.end();
  });

  it('exporters check their options too', () => {
    expect(() => httpExporter({ url: 'http://127.0.0.1:1', authToken: 'x' } as never)).toThrow(
      /httpExporter\(\) has no option "authToken"/,
    );
    expect(() => httpExporter({ url: 'http://127.0.0.1:1', timeout: 5 } as never)).toThrow(
      /did you mean "timeoutMs"\?/,
    );
    expect(() => consoleExporter({ color: true } as never)).toThrow(/did you mean "colors"\?/);
  });

  it('finds no near name for something unrelated, and lists the valid ones', () => {
    expect(closestName('zzzzzz', ['ignore', 'tracer'])).toBeUndefined();
    expect(() => httpServerTracing({ zzzzzz: 1 } as never)).toThrow(/valid options: tracer, /);
  });
});
