import { describe, expect, it, vi } from 'vitest';
import * as nodeIds from '../../src/internal/ids';

// The Node build draws from node:crypto into a Buffer; the edge build swaps in
// random-pool.edge.ts (Web Crypto), as its esbuild plugin does.
vi.resetModules();
vi.doMock('../../src/internal/random-pool', () => import('../../src/internal/random-pool.edge'));
const edgeIds = await import('../../src/internal/ids');
vi.doUnmock('../../src/internal/random-pool');
const edgePool = await import('../../src/internal/random-pool.edge');

it('runs the edge build on its own random pool', () => {
  edgeIds.newSpanId();
  const before = edgePool.take(0);
  edgeIds.newSpanId();
  expect(edgePool.take(0)).toBe(before + 8);
});

describe.each([
  ['node', nodeIds],
  ['edge', edgeIds],
])('ids (%s build)', (_build, { newSpanId, newTraceId, traceIdTime }) => {
  it('lays trace ids out as UUIDv7: 48-bit milliseconds, version 7, variant 0b10', () => {
    const ms = 0x0123_4567_89ab;
    for (let i = 0; i < 2000; i++) {
      const id = newTraceId(ms + 0.75);
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(id.slice(0, 12)).toBe('0123456789ab');
      expect(traceIdTime(id)).toBe(ms);
      expect(id[12]).toBe('7');
      expect(['8', '9', 'a', 'b']).toContain(id[16]);
    }
  });

  it('stamps now in place of a time 48 bits cannot hold', () => {
    for (const odd of [Number.NaN, -1, 2 ** 48, Number.POSITIVE_INFINITY]) {
      const before = Date.now();
      const time = traceIdTime(newTraceId(odd));
      expect(time).toBeGreaterThanOrEqual(before);
      expect(time).toBeLessThanOrEqual(Date.now());
    }
  });

  it('draws distinct random bits across the pool refills', () => {
    const traces = new Set<string>();
    const spans = new Set<string>();
    // 8192-byte pool: 20,000 of each refills it several times over.
    for (let i = 0; i < 20_000; i++) {
      traces.add(newTraceId(1_700_000_000_000).slice(12));
      spans.add(newSpanId());
    }
    expect(traces.size).toBe(20_000);
    expect(spans.size).toBe(20_000);
    for (const id of spans) expect(id).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
  });
});
