import { createTracer, memoryExporter, traced } from '@tracewire/core';
import { describe, expect, it } from 'vitest';

// Standard (TC39) decorators: this file is compiled without experimentalDecorators.
class Repo {
  @traced()
  async load(id: string) {
    return { id };
  }

  @traced('repo.fail')
  fail() {
    throw new Error('nope');
  }
}

describe('@traced() as a standard decorator', () => {
  it('wraps methods in child spans named Class.method, records errors, keeps this', async () => {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'd', exporter });
    const repo = new Repo();
    await tracer.trace('outer', async () => {
      expect(await repo.load('7')).toEqual({ id: '7' });
      expect(() => repo.fail()).toThrow('nope');
    });
    const spans = exporter.traces()[0]!.spans;
    expect(spans.map((s) => s.name)).toEqual(['outer', 'Repo.load', 'repo.fail']);
    expect(spans[2]!.status).toBe('error');
    expect(spans[1]!.parentId).toBe(spans[0]!.spanId);
  });

  it('runs the method unchanged outside a trace', async () => {
    expect(await new Repo().load('1')).toEqual({ id: '1' });
  });
});

describe('@traced() as a legacy decorator', () => {
  it('works when applied the experimentalDecorators way (target, key, descriptor)', async () => {
    class Legacy {
      value = 3;
      double(x: number) {
        return x * 2 * this.value;
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Legacy.prototype, 'double')!;
    const result = traced()(Legacy.prototype, 'double', descriptor) as PropertyDescriptor;
    Object.defineProperty(Legacy.prototype, 'double', result);
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'd', exporter });
    await tracer.trace('outer', () => {
      expect(new Legacy().double(2)).toBe(12);
    });
    expect(exporter.traces()[0]!.spans.map((s) => s.name)).toEqual(['outer', 'Legacy.double']);
  });
});
