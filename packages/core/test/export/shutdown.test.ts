import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { httpExporter } from '../../src/export/http-exporter';
import { ExportPipeline } from '../../src/export/pipeline';
import { registerShutdown, type ShutdownProcess } from '../../src/export/shutdown';
import { type Collector, startCollector } from './helpers/collector';
import { fakeTrace } from './helpers/fake-trace';

/**
 * A stand-in for `process`: a real EventEmitter whose `kill` records instead of
 * signalling, so the hooks' real listeners can be driven without ending the
 * test runner.
 */
function fakeProcess() {
  const emitter = new EventEmitter();
  const kills: NodeJS.Signals[] = [];
  const proc = Object.assign(emitter, {
    pid: 4242,
    kills,
    kill(pid: number, signal: NodeJS.Signals) {
      expect(pid).toBe(4242);
      kills.push(signal);
      return true;
    },
  });
  return proc satisfies ShutdownProcess;
}

function target(run: (timeoutMs?: number) => Promise<void> = async () => undefined) {
  const calls: (number | undefined)[] = [];
  return {
    calls,
    shutdown(timeoutMs?: number) {
      calls.push(timeoutMs);
      return run(timeoutMs);
    },
  };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 1));
};

const collectors: Collector[] = [];
afterEach(async () => {
  await Promise.all(collectors.splice(0).map((c) => c.close()));
});

describe('registerShutdown', () => {
  it('hooks SIGTERM, SIGINT and beforeExit by default, and the disposer unhooks them', () => {
    const proc = fakeProcess();
    const dispose = registerShutdown(target(), { process: proc });
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    expect(proc.listenerCount('SIGINT')).toBe(1);
    expect(proc.listenerCount('beforeExit')).toBe(1);
    dispose();
    expect(proc.eventNames()).toEqual([]);
  });

  it('on a signal, shuts down within the deadline, then unhooks and re-raises it', async () => {
    const proc = fakeProcess();
    const order: string[] = [];
    const t = target(async () => {
      order.push('shutdown started');
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push('shutdown done');
    });
    registerShutdown(t, { process: proc, timeoutMs: 1234 });
    proc.emit('SIGTERM', 'SIGTERM');
    expect(proc.kills).toEqual([]);
    await until(() => proc.kills.length > 0);
    expect(order).toEqual(['shutdown started', 'shutdown done']);
    expect(t.calls).toEqual([1234]);
    expect(proc.kills).toEqual(['SIGTERM']);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
  });

  it('leaves the exit to the app when another listener handles the signal', async () => {
    const proc = fakeProcess();
    const appHandler = () => undefined;
    proc.on('SIGINT', appHandler);
    const t = target();
    registerShutdown(t, { process: proc });
    proc.emit('SIGINT', 'SIGINT');
    await until(() => proc.listenerCount('SIGINT') === 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(t.calls).toHaveLength(1);
    expect(proc.kills).toEqual([]);
    expect(proc.listeners('SIGINT')).toEqual([appHandler]);
  });

  it('re-raises once the last of several hooked targets is done', async () => {
    const proc = fakeProcess();
    const a = target(async () => new Promise((resolve) => setTimeout(resolve, 2)));
    const b = target(async () => new Promise((resolve) => setTimeout(resolve, 10)));
    registerShutdown(a, { process: proc });
    registerShutdown(b, { process: proc });
    proc.emit('SIGTERM', 'SIGTERM');
    await until(() => proc.kills.length > 0);
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(1);
    expect(proc.kills).toEqual(['SIGTERM']);
  });

  it('re-raises at the deadline when the shutdown hangs or fails', async () => {
    const hanging = fakeProcess();
    registerShutdown(
      target(() => new Promise(() => undefined)),
      { process: hanging, timeoutMs: 10 },
    );
    hanging.emit('SIGTERM', 'SIGTERM');

    const failing = fakeProcess();
    registerShutdown(
      target(async () => {
        throw new Error('shutdown broke');
      }),
      { process: failing },
    );
    failing.emit('SIGTERM', 'SIGTERM');

    const throwing = fakeProcess();
    registerShutdown(
      {
        shutdown() {
          throw new Error('sync throw');
        },
      },
      { process: throwing },
    );
    throwing.emit('SIGINT', 'SIGINT');

    await until(() => hanging.kills.length + failing.kills.length + throwing.kills.length === 3);
    expect([hanging.kills, failing.kills, throwing.kills]).toEqual([
      ['SIGTERM'],
      ['SIGTERM'],
      ['SIGINT'],
    ]);
  });

  it('a second identical signal during shutdown exits at once', () => {
    const proc = fakeProcess();
    const t = target(() => new Promise(() => undefined));
    registerShutdown(t, { process: proc, timeoutMs: 60_000 });
    proc.emit('SIGINT', 'SIGINT');
    expect(proc.kills).toEqual([]);
    proc.emit('SIGINT', 'SIGINT');
    expect(proc.kills).toEqual(['SIGINT']);
    expect(t.calls).toHaveLength(1);
  });

  it('shuts down once on beforeExit, even when it fires again', async () => {
    const proc = fakeProcess();
    const t = target();
    registerShutdown(t, { process: proc, timeoutMs: 777 });
    proc.emit('beforeExit', 0);
    proc.emit('beforeExit', 0);
    expect(t.calls).toEqual([777]);
    expect(proc.kills).toEqual([]);
  });

  it('honours custom signals and beforeExit: false', () => {
    const proc = fakeProcess();
    registerShutdown(target(), { process: proc, signals: ['SIGHUP'], beforeExit: false });
    expect(proc.eventNames()).toEqual(['SIGHUP']);
  });

  it('is idempotent per target', () => {
    const proc = fakeProcess();
    const t = target();
    const first = registerShutdown(t, { process: proc });
    const second = registerShutdown(t, { process: proc });
    expect(second).toBe(first);
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    first();
    expect(registerShutdown(t, { process: proc })).not.toBe(first);
    expect(proc.listenerCount('SIGTERM')).toBe(1);
  });

  it('hooks the real process by default, and unhooks cleanly', () => {
    const before = process.listenerCount('SIGUSR2');
    const dispose = registerShutdown(target(), { signals: ['SIGUSR2'], beforeExit: false });
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    dispose();
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });

  it.each([
    [undefined, {}, /shutdown\(timeoutMs\)/],
    [{ shutdown: async () => undefined }, { timeoutMs: -1 }, /timeoutMs/],
    [{ shutdown: async () => undefined }, { signals: 'SIGTERM' }, /signals/],
  ])('rejects bad arguments (%#)', (t, options, message) => {
    expect(() =>
      registerShutdown(t as never, { process: fakeProcess(), ...(options as object) }),
    ).toThrow(message);
  });

  it('delivers every queued trace to a real collector before re-raising SIGTERM', async () => {
    const c = await startCollector();
    collectors.push(c);
    const pipeline = new ExportPipeline({
      exporter: httpExporter({ url: c.url }),
      scheduledDelayMs: 60_000,
      maxBatchTraces: 10,
      onError: () => undefined,
    });
    const traces = Array.from({ length: 45 }, () => fakeTrace());
    for (const t of traces) pipeline.enqueueTrace(t);
    const proc = fakeProcess();
    let receivedAtKill = -1;
    proc.kill = (_pid, signal) => {
      receivedAtKill = c.acceptedTraceIds().length;
      proc.kills.push(signal);
      return true;
    };
    registerShutdown(pipeline, { process: proc, timeoutMs: 5000 });
    proc.emit('SIGTERM', 'SIGTERM');
    await until(() => proc.kills.length > 0);
    expect(receivedAtKill).toBe(45);
    expect(c.acceptedTraceIds().sort()).toEqual(traces.map((t) => t.id).sort());
    expect(pipeline.enqueueTrace(fakeTrace())).toBeInstanceOf(Promise);
    expect(pipeline.stats().tracesDropped.shutdown).toBe(1);
  });
});
