import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract, injectContext, readHeader, setHeader } from '../../src/propagation/index';
import type { BaggageEntry, SpanContext } from '../../src/types';
import { anyString, hexId } from './arbitraries';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const P = '00f067aa0ba902b7';
const TP = `00-${T}-${P}-01`;

describe('readHeader', () => {
  it("reads Node's lowercase IncomingHttpHeaders, strings and arrays", () => {
    const headers: IncomingHttpHeaders = { traceparent: TP, 'set-cookie': ['a=1', 'b=2'] };
    expect(readHeader(headers, 'traceparent')).toBe(TP);
    expect(readHeader(headers, 'set-cookie')).toEqual(['a=1', 'b=2']);
    expect(readHeader(headers, 'tracestate')).toBeUndefined();
  });

  it('reads plain records with keys in any case ("Header Name": any case)', () => {
    expect(readHeader({ TraceParent: TP }, 'traceparent')).toBe(TP);
    expect(readHeader({ TRACEPARENT: TP }, 'traceparent')).toBe(TP);
    expect(readHeader({ traceparent: TP }, 'TraceParent')).toBe(TP);
    expect(readHeader({ traceparentx: TP }, 'traceparent')).toBeUndefined();
  });

  it('reads fetch Headers and other objects with get()', () => {
    expect(readHeader(new Headers({ TraceParent: TP }), 'traceparent')).toBe(TP);
    expect(readHeader(new Headers(), 'traceparent')).toBeUndefined();
    expect(readHeader(new Map([['traceparent', TP]]), 'traceparent')).toBe(TP);
  });

  it('treats a header literally named "get" as a header, not a method', () => {
    expect(readHeader({ get: 'x', traceparent: TP }, 'traceparent')).toBe(TP);
  });

  it('ignores values that are not strings or arrays, and never throws', () => {
    expect(readHeader({ traceparent: 42 } as never, 'traceparent')).toBeUndefined();
    expect(readHeader(null as never, 'traceparent')).toBeUndefined();
    expect(readHeader('traceparent' as never, 'traceparent')).toBeUndefined();
    const throwing = {
      get() {
        throw new Error('boom');
      },
    };
    expect(readHeader(throwing, 'traceparent')).toBeUndefined();
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    expect(readHeader(trap, 'traceparent')).toBeUndefined();
  });
});

describe('setHeader', () => {
  it('writes plain objects and objects with set()', () => {
    const plain: Record<string, unknown> = {};
    setHeader(plain, 'traceparent', TP);
    expect(plain).toEqual({ traceparent: TP });
    const headers = new Headers();
    setHeader(headers, 'traceparent', TP);
    expect(headers.get('traceparent')).toBe(TP);
  });

  it('never throws on a carrier that refuses the write', () => {
    const frozen = Object.freeze({});
    expect(() => setHeader(frozen, 'traceparent', TP)).not.toThrow();
    const refusing = {
      set() {
        throw new Error('nope');
      },
    };
    expect(() => setHeader(refusing, 'traceparent', TP)).not.toThrow();
  });
});

describe('extract', () => {
  it('reads traceparent, tracestate and baggage together', () => {
    const ctx = extract({
      traceparent: TP,
      tracestate: 'rojo=00f067aa0ba902b7, congo=t61rcWkgMzE',
      baggage: 'userId=alice,node=DF%2028;p=1',
    });
    expect(ctx).toEqual({
      traceId: T,
      spanId: P,
      sampled: true,
      random: false,
      isRemote: true,
      traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
      baggage: new Map<string, BaggageEntry>([
        ['userId', { value: 'alice' }],
        ['node', { value: 'DF 28', metadata: ';p=1' }],
      ]),
    });
  });

  it('omits traceState and baggage when there are none', () => {
    const ctx = extract({ traceparent: TP });
    expect(ctx).toEqual({ traceId: T, spanId: P, sampled: true, random: false, isRemote: true });
    expect(ctx).not.toHaveProperty('traceState');
    expect(ctx).not.toHaveProperty('baggage');
    expect(extract({ traceparent: TP, tracestate: ' , ', baggage: '' })).not.toHaveProperty(
      'traceState',
    );
  });

  it('returns undefined without a valid traceparent, whatever else is sent', () => {
    expect(extract({})).toBeUndefined();
    expect(extract({ tracestate: 'a=1', baggage: 'b=2' })).toBeUndefined();
    expect(
      extract({ traceparent: `00-${'0'.repeat(32)}-${P}-01`, tracestate: 'a=1' }),
    ).toBeUndefined();
    expect(extract({ traceparent: [TP, TP], tracestate: 'a=1' })).toBeUndefined();
  });

  it('drops an invalid tracestate without affecting traceparent', () => {
    const ctx = extract({ traceparent: TP, tracestate: 'a=1,B=2' });
    expect(ctx?.traceId).toBe(T);
    expect(ctx).not.toHaveProperty('traceState');
  });

  it('combines repeated tracestate and baggage headers', () => {
    const ctx = extract({
      traceparent: TP,
      tracestate: ['a=1', 'b=2,a=3'],
      baggage: ['x=1', 'y=2'],
    });
    expect(ctx?.traceState).toBe('a=1,b=2');
    expect([...(ctx?.baggage?.keys() ?? [])]).toEqual(['x', 'y']);
  });

  it('reads fetch Headers, where duplicates arrive joined', () => {
    expect(extract(new Headers({ traceparent: TP }))?.spanId).toBe(P);
    const dup = new Headers();
    dup.append('traceparent', TP);
    dup.append('traceparent', TP);
    expect(extract(dup)).toBeUndefined();
  });

  it('never throws on arbitrary header bags', () => {
    const bag = fc.dictionary(
      fc.constantFrom('traceparent', 'TraceParent', 'tracestate', 'baggage', 'get', 'other'),
      fc.oneof(anyString, fc.array(anyString, { maxLength: 3 }), fc.integer(), fc.constant(null)),
    );
    fc.assert(
      fc.property(bag, (headers) => {
        const ctx = extract(headers as Record<string, string>);
        if (ctx === undefined) return;
        expect(ctx.traceId).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
        expect(ctx.spanId).toMatch(/^(?!0+$)[0-9a-f]{16}$/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('injectContext', () => {
  const base: SpanContext = { traceId: T, spanId: P, sampled: true, random: true };

  it('writes only traceparent when there is no state or baggage', () => {
    const carrier = injectContext({}, base);
    expect(carrier).toEqual({ traceparent: `00-${T}-${P}-03` });
    expect(injectContext({}, { ...base, traceState: '', baggage: new Map() })).toEqual({
      traceparent: `00-${T}-${P}-03`,
    });
  });

  it('writes tracestate and baggage when they have members, and returns the carrier', () => {
    const carrier: Record<string, string> = { accept: 'application/json' };
    const result = injectContext(carrier, {
      ...base,
      sampled: false,
      random: false,
      traceState: 'rojo=1,congo=2',
      baggage: new Map([['userId', { value: 'alice smith' }]]),
    });
    expect(result).toBe(carrier);
    expect(carrier).toEqual({
      accept: 'application/json',
      traceparent: `00-${T}-${P}-00`,
      tracestate: 'rojo=1,congo=2',
      baggage: 'userId=alice%20smith',
    });
  });

  it('writes onto fetch Headers and Maps through set()', () => {
    const headers = injectContext(new Headers(), { ...base, traceState: 'a=1' });
    expect(headers.get('traceparent')).toBe(`00-${T}-${P}-03`);
    expect(headers.get('tracestate')).toBe('a=1');
    const map = injectContext(new Map<string, string>(), base);
    expect(map.get('traceparent')).toBe(`00-${T}-${P}-03`);
  });

  it('re-validates a hand-built traceState on the way out', () => {
    expect(injectContext({}, { ...base, traceState: 'a=1\r\nx-injected: 1' })).toEqual({
      traceparent: `00-${T}-${P}-03`,
    });
    expect(injectContext({}, { ...base, traceState: ' a=1 ,, b=2 ' })).toHaveProperty(
      'tracestate',
      'a=1,b=2',
    );
  });

  it('writes nothing for a context with invalid ids', () => {
    for (const ids of [
      { traceId: '0'.repeat(32), spanId: P },
      { traceId: T, spanId: '0'.repeat(16) },
      { traceId: T.toUpperCase(), spanId: P },
      { traceId: `${T}0`, spanId: P },
      { traceId: T, spanId: 42 as unknown as string },
    ]) {
      expect(injectContext({}, { ...base, ...ids })).toEqual({});
    }
  });

  it('never throws on a carrier that refuses writes', () => {
    const frozen = Object.freeze({});
    expect(injectContext(frozen, base)).toBe(frozen);
  });

  it('round-trips inject -> extract', () => {
    const stateArb = fc.constantFrom(undefined, 'a=1', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    const baggageArb = fc.option(
      fc
        .uniqueArray(
          fc.tuple(
            fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/),
            fc.string({ unit: 'binary', maxLength: 20 }),
          ),
          {
            minLength: 1,
            maxLength: 5,
            selector: ([k]) => k,
          },
        )
        .map((list) => new Map(list.map(([k, value]) => [k, { value }]))),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        hexId(32),
        hexId(16),
        fc.boolean(),
        fc.boolean(),
        stateArb,
        baggageArb,
        (traceId, spanId, sampled, random, traceState, baggage) => {
          const sent: SpanContext = { traceId, spanId, sampled, random };
          if (traceState !== undefined) sent.traceState = traceState;
          if (baggage !== undefined) sent.baggage = baggage;
          const received = extract(injectContext({}, sent));
          expect(received).toEqual({ ...sent, isRemote: true });
        },
      ),
    );
  });
});

describe('propagation over a real socket', () => {
  let server: Server;
  let port: number;
  let seen: SpanContext | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen = extract(req.headers);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function send(headers: Record<string, string | string[]>): Promise<SpanContext | undefined> {
    seen = undefined;
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(seen));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('continues the context an injected client request carries', async () => {
    const sent: SpanContext = {
      traceId: T,
      spanId: P,
      sampled: true,
      random: true,
      traceState: 'rojo=1',
      baggage: new Map([['userId', { value: 'ålice', metadata: ';ttl=60' }]]),
    };
    const headers = injectContext<Record<string, string>>({}, sent);
    expect(await send(headers)).toEqual({ ...sent, isRemote: true });
  });

  it('reads mixed-case header names as Node lowercases them', async () => {
    expect((await send({ TraceParent: TP }))?.traceId).toBe(T);
  });

  it('rejects a traceparent sent twice, which Node joins with a comma', async () => {
    expect(await send({ traceparent: [TP, TP] })).toBeUndefined();
  });

  it('combines tracestate and baggage sent as several header lines', async () => {
    const ctx = await send({
      traceparent: TP,
      tracestate: ['a=1', 'b=2'],
      baggage: ['x=1', 'y=2'],
    });
    expect(ctx?.traceState).toBe('a=1,b=2');
    expect([...(ctx?.baggage?.keys() ?? [])]).toEqual(['x', 'y']);
  });
});
