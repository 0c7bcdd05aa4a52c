import { Writable } from 'node:stream';
import {
  capturePinoLog,
  createTracer,
  type ExportBatch,
  memoryExporter,
  span,
  traceLogFields,
  withTraceFields,
} from '@tracewire/core';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import winston from 'winston';

function lines() {
  const out: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) out.push(JSON.parse(line));
      done();
    },
  });
  return { out, stream };
}

function setup(limits?: { maxLogsPerTrace: number }) {
  const exporter = memoryExporter();
  const tracer = createTracer({ serviceName: 'logs', exporter, limits });
  return { exporter, tracer };
}

describe('pino', () => {
  it('mixin: traceLogFields puts trace_id, span_id and trace_flags on lines inside a trace', async () => {
    const { tracer } = setup();
    const { out, stream } = lines();
    const logger = pino({ mixin: traceLogFields }, stream);
    let ids: { trace: string; span: string } | undefined;
    logger.info('before');
    await tracer.trace('job', () =>
      span('step', (s) => {
        ids = { trace: s.traceId, span: s.id };
        logger.info({ n: 1 }, 'inside');
      }),
    );
    logger.info('after');
    expect(out[0]).not.toHaveProperty('trace_id');
    expect(out[1]).toMatchObject({
      msg: 'inside',
      n: 1,
      trace_id: ids!.trace,
      span_id: ids!.span,
      trace_flags: '03',
    });
    expect(out[2]).not.toHaveProperty('trace_id');
  });

  it('hooks.logMethod: capturePinoLog records lines as logs of the trace', async () => {
    const { tracer, exporter } = setup();
    const { out, stream } = lines();
    const logger = pino({ mixin: traceLogFields, hooks: { logMethod: capturePinoLog } }, stream);
    let stepId: string | undefined;
    await tracer.trace('checkout', () => {
      logger.info({ orderId: 7, nested: { skip: true } }, 'order %s placed for %d', 'A1', 3);
      span('charge', (s) => {
        stepId = s.id;
        logger.child({ component: 'payments' }).warn('retrying');
        logger.error(new TypeError('card declined'));
      });
      logger.debug('below pino level: not written, not recorded');
    });
    logger.info('outside: written, not recorded');
    const [trace] = exporter.traces();
    expect(trace!.logs.map((l) => [l.level, l.message])).toEqual([
      ['info', 'order A1 placed for 3'],
      ['warn', 'retrying'],
      ['error', 'card declined'],
    ]);
    expect(trace!.logs[0]!.attributes).toEqual({ orderId: 7 });
    expect(trace!.logs[0]!.spanId).toBe(trace!.rootSpanId);
    expect(trace!.logs[1]!).toMatchObject({
      spanId: stepId,
      attributes: { component: 'payments' },
    });
    expect(trace!.logs[2]!.attributes).toMatchObject({ 'exception.type': 'TypeError' });
    // The lines themselves are written unchanged.
    expect(out.map((l) => l.msg)).toEqual([
      'order A1 placed for 3',
      'retrying',
      'card declined',
      'outside: written, not recorded',
    ]);
  });

  it('capture is bounded by limits.maxLogsPerTrace and counted', async () => {
    const { tracer, exporter } = setup({ maxLogsPerTrace: 3 });
    const logger = pino({ hooks: { logMethod: capturePinoLog } }, lines().stream);
    await tracer.trace('chatty', () => {
      for (let i = 0; i < 10; i++) logger.info(`line ${i}`);
    });
    const [trace] = exporter.traces();
    expect(trace!.logs).toHaveLength(3);
    expect(trace!.dropped.logs).toBe(7);
  });

  it('never recursive: a logger used by the exporter itself records nothing', async () => {
    const { out, stream } = lines();
    const logger = pino({ mixin: traceLogFields, hooks: { logMethod: capturePinoLog } }, stream);
    const delivered: ExportBatch[] = [];
    const tracer = createTracer({
      serviceName: 'logs',
      exporter: {
        name: 'logging',
        export(batch) {
          logger.info({ traces: batch.traces.length }, 'exporting');
          delivered.push(batch);
          return { ok: true };
        },
      },
    });
    await tracer.trace('work', () => logger.info('working'));
    await tracer.flush();
    expect(delivered[0]!.traces[0]!.logs.map((l) => l.message)).toEqual(['working']);
    const exporting = out.find((l) => l.msg === 'exporting');
    expect(exporting).toBeDefined();
    expect(exporting).not.toHaveProperty('trace_id');
  });
});

describe('winston', () => {
  function winstonLogger(capture: boolean) {
    const { out, stream } = lines();
    const logger = winston.createLogger({
      level: 'debug',
      format: winston.format.combine(
        winston.format(withTraceFields)({ capture }),
        winston.format.json(),
      ),
      transports: [new winston.transports.Stream({ stream })],
    });
    return { out, logger };
  }

  it('format(withTraceFields) adds the ids; { capture: true } records the lines', async () => {
    const { tracer, exporter } = setup();
    const { out, logger } = winstonLogger(true);
    let ids: { trace: string; span: string } | undefined;
    await tracer.trace('import', () =>
      span('batch', (s) => {
        ids = { trace: s.traceId, span: s.id };
        logger.info('imported', { rows: 120, source: 's3' });
        logger.http('fetched');
        logger.error('row rejected', { row: 17 });
      }),
    );
    logger.info('outside');
    expect(out[0]).toMatchObject({
      message: 'imported',
      rows: 120,
      trace_id: ids!.trace,
      span_id: ids!.span,
      trace_flags: '03',
    });
    expect(out[3]).not.toHaveProperty('trace_id');
    const [trace] = exporter.traces();
    expect(trace!.logs.map((l) => [l.level, l.message, l.spanId])).toEqual([
      ['info', 'imported', ids!.span],
      ['info', 'fetched', ids!.span],
      ['error', 'row rejected', ids!.span],
    ]);
    expect(trace!.logs[0]!.attributes).toEqual({ rows: 120, source: 's3' });
  });

  it('without capture, only the ids are added', async () => {
    const { tracer, exporter } = setup();
    const { out, logger } = winstonLogger(false);
    await tracer.trace('quiet', () => logger.warn('hello'));
    expect(out[0]).toHaveProperty('trace_id');
    expect(exporter.traces()[0]!.logs).toEqual([]);
  });
});
