import { EventEmitter } from 'node:events';
import {
  context,
  type Span as OtelSpan,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { currentSpan, span as twSpan } from '@tracewire/core';
import { tracing } from '@tracewire/express';
import { registerOpenTelemetry } from '@tracewire/opentelemetry';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPackage, memoryTracer, requireApi, spanNamed, tracesWhere } from './support';

const setup = memoryTracer('otel-bridge');
const { tracer } = setup;
const otel = () => trace.getTracer('bridge-test', '1.2.3');
let unregister: () => void;

beforeAll(() => {
  unregister = registerOpenTelemetry({ tracer });
  // The API copy that registered is the one the bridge imports: the version under test.
  const registered = (globalThis as Record<symbol, { version?: string } | undefined>)[
    Symbol.for('opentelemetry.js.api.1')
  ];
  expect(registered?.version?.startsWith(process.env.TRACEWIRE_OTEL_API_VERSION!)).toBe(true);
});
afterAll(() => unregister());

function app() {
  const a = express();
  a.use(tracing({ tracer }));
  return a;
}

describe(`the OpenTelemetry API (${apiPackage}) inside a tracewire trace`, () => {
  // DataDog/dd-trace-js#7194: the OTel active span and the tracer's drift apart.
  it('getActiveSpan() is the request span, and setAttribute lands on it', async () => {
    const a = app();
    a.get('/tier', (_req, res) => {
      trace.getActiveSpan()?.setAttribute('user.tier', 'gold');
      twSpan('work', () => {
        trace.getActiveSpan()?.setAttribute('work.items', 3);
        expect(trace.getActiveSpan()?.spanContext().spanId).toBe(currentSpan()?.id);
      });
      res.send('ok');
    });
    await request(a).get('/tier').expect(200);
    const [t] = await tracesWhere(setup, (t) => t.name === 'GET /tier');
    expect(t!.spans[0]!.attributes['user.tier']).toBe('gold');
    expect(spanNamed(t!, 'work').attributes['work.items']).toBe(3);
  });

  // DataDog/dd-trace-js#4380: getActiveSpan() is a plain object, not a Span.
  it('getActiveSpan() is a full Span: every method works and is exported', async () => {
    await tracer.trace('full-span', async () => {
      const active = trace.getActiveSpan() as OtelSpan;
      for (const method of [
        'spanContext',
        'setAttribute',
        'setAttributes',
        'addEvent',
        'setStatus',
        'updateName',
        'end',
        'isRecording',
        'recordException',
      ] as const) {
        expect(typeof active[method]).toBe('function');
      }
      expect(active.isRecording()).toBe(true);
      active
        .setAttributes({ 'a.b': 'c', list: [1, 2] })
        .addEvent('cache.miss', { key: 'k1' })
        .updateName('renamed');
      active.recordException(new TypeError('bad input'));
      active.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    });
    const [t] = await tracesWhere(setup, (t) => t.name === 'renamed');
    const root = t!.spans[0]!;
    expect(root.attributes).toMatchObject({ 'a.b': 'c', list: [1, 2] });
    expect(root.events?.map((e) => e.name)).toEqual(['cache.miss', 'exception']);
    expect(root.events?.[1]?.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'bad input',
    });
    expect(root.status).toBe('error');
    expect(root.statusMessage).toBe('failed');
    expect(root.error).toMatchObject({ type: 'TypeError', message: 'bad input' });
  });

  // DataDog/dd-trace-js#6882: zero-id no-op spans with newer API versions.
  it('spans carry the real tracewire ids, never zeros', async () => {
    let seen: { traceId: string; spanId: string; parent: string | undefined } | undefined;
    await tracer.trace('ids', () =>
      otel().startActiveSpan('child', (s) => {
        const ctx = s.spanContext();
        expect(trace.isSpanContextValid(ctx)).toBe(true);
        expect(ctx.traceFlags & 1).toBe(1);
        seen = {
          traceId: ctx.traceId,
          spanId: ctx.spanId,
          parent: currentSpan()?.parentId ?? undefined,
        };
        expect(currentSpan()?.id).toBe(ctx.spanId);
        s.end();
      }),
    );
    const [t] = await tracesWhere(setup, (t) => t.name === 'ids');
    expect(seen!.traceId).toBe(t!.id);
    expect(seen!.traceId).not.toMatch(/^0+$/);
    expect(spanNamed(t!, 'child').spanId).toBe(seen!.spanId);
    expect(seen!.parent).toBe(t!.rootSpanId);
  });

  it('keeps kind, attributes, events, links, status, scope and times', async () => {
    const start = Date.now() - 50;
    const end = start + 20;
    await tracer.trace('kept', () => {
      const s = otel().startSpan('SELECT orders', {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system': 'postgresql', 'db.statement': 'select 1' },
        links: [{ context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 } }],
        startTime: start,
      });
      s.addEvent('rows', { count: 2 }, [
        Math.floor((start + 10) / 1000),
        ((start + 10) % 1000) * 1e6,
      ]);
      s.setStatus({ code: SpanStatusCode.OK });
      s.end(new Date(end));
    });
    const [t] = await tracesWhere(setup, (t) => t.name === 'kept');
    const s = spanNamed(t!, 'SELECT orders');
    expect(s.kind).toBe('client');
    expect(s.parentId).toBe(t!.rootSpanId);
    expect(s.attributes).toMatchObject({
      'db.system': 'postgresql',
      'db.statement': 'select 1',
      'otel.scope.name': 'bridge-test',
      'otel.scope.version': '1.2.3',
    });
    expect(s.links).toEqual([{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }]);
    expect(s.status).toBe('ok');
    expect(s.startTime).toBe(start);
    expect(s.endTime).toBe(end);
    expect(s.events?.[0]?.time).toBeCloseTo(start + 10, 3);
  });

  it("tracewire's span(), currentSpan() and logs nest under an active OTel span", async () => {
    await tracer.trace('nesting', () =>
      otel().startActiveSpan('otel.outer', (outer) => {
        const inner = twSpan('tw.inner', (s) => {
          s.log.info('inside');
          currentSpan()?.trace.log.warn('via trace');
          tracer.log.info('via tracer');
          return s.id;
        });
        outer.end();
        return inner;
      }),
    );
    const [t] = await tracesWhere(setup, (t) => t.name === 'nesting');
    const outer = spanNamed(t!, 'otel.outer');
    const inner = spanNamed(t!, 'tw.inner');
    expect(inner.parentId).toBe(outer.spanId);
    expect(t!.logs.map((l) => [l.message, l.spanId])).toEqual([
      ['inside', inner.spanId],
      ['via trace', inner.spanId],
      ['via tracer', inner.spanId],
    ]);
  });

  it('context.with(), bind() and emitter binding keep the span across async hops', async () => {
    await tracer.trace('binding', async () => {
      const s = otel().startSpan('bound');
      const ctx = trace.setSpan(context.active(), s);
      const later = context.bind(ctx, () => currentSpan()?.name);
      const emitter = context.bind(ctx, new EventEmitter());
      const fromEmitter = new Promise<string | undefined>((resolve) => {
        emitter.on('tick', () => resolve(trace.getActiveSpan()?.spanContext().spanId));
      });
      await new Promise((r) => setTimeout(r, 1));
      expect(later()).toBe('bound');
      setImmediate(() => emitter.emit('tick'));
      expect(await fromEmitter).toBe(s.spanContext().spanId);
      context.with(ctx, () => expect(context.active().getValue(Symbol.for('x'))).toBeUndefined());
      const withValue = ctx.setValue(Symbol.for('x'), 42);
      await context.with(withValue, async () => {
        await new Promise((r) => setTimeout(r, 1));
        expect(context.active().getValue(Symbol.for('x'))).toBe(42);
        expect(currentSpan()?.name).toBe('bound');
      });
      context.with(ROOT_CONTEXT, () => expect(currentSpan()).toBeUndefined());
      s.end();
    });
    const [t] = await tracesWhere(setup, (t) => t.name === 'binding');
    expect(spanNamed(t!, 'bound').parentId).toBe(t!.rootSpanId);
  });

  it("propagation.inject writes tracewire's traceparent, tracestate and baggage", async () => {
    const a = app();
    let headers: Record<string, string> = {};
    a.get('/inject', (_req, res) => {
      otel().startActiveSpan('outgoing', (s) => {
        propagation.inject(context.active(), headers);
        expect(propagation.getBaggage(context.active())?.getEntry('tenant')?.value).toBe('acme');
        s.end();
      });
      res.send('ok');
    });
    await request(a)
      .get('/inject')
      .set('traceparent', `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`)
      .set('tracestate', 'vendor=abc')
      .set('baggage', 'tenant=acme;scope=eu')
      .expect(200);
    const [t] = await tracesWhere(setup, (t) => t.name === 'GET /inject');
    const outgoing = spanNamed(t!, 'outgoing');
    expect(headers.traceparent).toBe(`00-${'1'.repeat(32)}-${outgoing.spanId}-01`);
    expect(headers.tracestate).toBe('vendor=abc');
    expect(headers.baggage).toBe('tenant=acme;scope=eu');
    headers = {};
  });

  it('propagation.extract continues a remote trace as a new tracewire trace', async () => {
    const carrier = {
      traceparent: `00-${'3'.repeat(32)}-${'4'.repeat(16)}-01`,
      tracestate: 'k=v',
      baggage: 'user=alice',
    };
    const remote = propagation.extract(ROOT_CONTEXT, carrier);
    expect(trace.getSpanContext(remote)).toMatchObject({ traceId: '3'.repeat(32), isRemote: true });
    expect(propagation.getBaggage(remote)?.getEntry('user')?.value).toBe('alice');
    otel().startActiveSpan('consume', { kind: SpanKind.CONSUMER }, remote, (s) => {
      const out: Record<string, string> = {};
      propagation.inject(context.active(), out);
      expect(out.baggage).toBe('user=alice');
      expect(out.tracestate).toBe('k=v');
      s.end();
    });
    const [t] = await tracesWhere(setup, (t) => t.name === 'consume');
    expect(t!.id).toBe('3'.repeat(32));
    expect(t!.spans[0]!.parentId).toBe('4'.repeat(16));
    expect(t!.spans[0]!.kind).toBe('consumer');
  });

  it('invalid inbound headers extract to nothing and never throw', () => {
    for (const traceparent of ['garbage', `00-${'0'.repeat(32)}-${'4'.repeat(16)}-01`, '']) {
      const ctx = propagation.extract(ROOT_CONTEXT, { traceparent });
      expect(trace.getSpanContext(ctx)).toBeUndefined();
    }
  });
});

describe('concurrency', () => {
  it('under 200 concurrent requests every OTel span lands in its own request', async () => {
    const a = app();
    a.get('/c/:n', async (req, res) => {
      const n = req.params.n;
      await otel().startActiveSpan(`work ${n}`, async (s) => {
        await new Promise((r) => setTimeout(r, Math.random() * 10));
        otel().startSpan(`inner ${n}`).end();
        trace.getActiveSpan()?.setAttribute('n', n);
        s.end();
      });
      res.send(n);
    });
    const ns = Array.from({ length: 200 }, (_, i) => String(i));
    await Promise.all(ns.map((n) => request(a).get(`/c/${n}`).expect(200, n)));
    const traces = await tracesWhere(setup, (t) => t.name === 'GET /c/:n', 200);
    expect(traces).toHaveLength(200);
    for (const t of traces) {
      const n = String(t.spans[0]!.attributes['url.path']).split('/')[2];
      expect(t.spans.map((s) => s.name).sort()).toEqual(['GET /c/:n', `inner ${n}`, `work ${n}`]);
      expect(spanNamed(t, `work ${n}`).attributes.n).toBe(n);
      expect(spanNamed(t, `inner ${n}`).parentId).toBe(spanNamed(t, `work ${n}`).spanId);
    }
  });
});

describe('OTel spans started outside any tracewire trace', () => {
  // DataDog/dd-trace-js#6512: a basic startActiveSpan example exports nothing.
  it('a startActiveSpan at the top level starts and exports a trace', async () => {
    const value = otel().startActiveSpan('nightly-job', (s) => {
      otel().startActiveSpan('step', (c) => c.end());
      s.end();
      return 42;
    });
    expect(value).toBe(42);
    const [t] = await tracesWhere(setup, (t) => t.name === 'nightly-job');
    expect(t!.spans.map((s) => s.name)).toEqual(['nightly-job', 'step']);
    expect(t!.spans[1]!.parentId).toBe(t!.spans[0]!.spanId);
  });

  it('a client span with no trace is not recorded, but still has real ids', async () => {
    const s = otel().startSpan('poll', { kind: SpanKind.CLIENT });
    expect(s.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(s.spanContext())).toBe(true);
    expect(s.spanContext().traceFlags & 1).toBe(0);
    s.end();
    await tracer.flush();
    expect(setup.exporter.traces().some((t) => t.name === 'poll')).toBe(false);
  });

  it('server, consumer and producer spans always start a trace', async () => {
    for (const kind of [SpanKind.SERVER, SpanKind.PRODUCER]) {
      otel().startSpan(`entry-${kind}`, { kind }).end();
    }
    const found = await tracesWhere(setup, (t) => t.name.startsWith('entry-'));
    expect(found.map((t) => t.spans[0]!.kind).sort()).toEqual(['producer', 'server']);
  });

  it('suppressTracing (the exporters of OpenTelemetry SDKs) records nothing', () => {
    const suppressed = ROOT_CONTEXT.setValue(
      Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING'),
      true,
    );
    const s = otel().startSpan('suppressed', {}, suppressed);
    expect(s.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(s.spanContext())).toBe(false);
  });
});

describe('the CommonJS copy of the API', () => {
  it('sees the same context and provider as the ESM copy', async () => {
    const cjs = requireApi();
    expect(cjs.trace).not.toBe(trace);
    await tracer.trace('cjs', () => {
      expect(cjs.trace.getActiveSpan()?.spanContext().spanId).toBe(currentSpan()?.id);
      cjs.trace.getTracer('cjs-lib').startActiveSpan('from-cjs', (s) => {
        expect(trace.getActiveSpan()?.spanContext().spanId).toBe(s.spanContext().spanId);
        s.end();
      });
    });
    const [t] = await tracesWhere(setup, (t) => t.name === 'cjs');
    expect(spanNamed(t!, 'from-cjs').attributes['otel.scope.name']).toBe('cjs-lib');
  });
});

describe('never throws into the app', () => {
  it('odd arguments are tolerated', async () => {
    await tracer.trace('odd', () => {
      const s = otel().startSpan(undefined as never, { kind: 99 as never, links: [null as never] });
      s.setAttribute('x', undefined as never);
      s.setAttributes(null as never);
      s.addEvent('e', null as never);
      s.setStatus(null as never);
      s.recordException(null as never);
      s.end([Number.NaN, 0]);
      s.end();
    });
    const [t] = await tracesWhere(setup, (t) => t.name === 'odd');
    expect(t!.spans).toHaveLength(2);
  });
});
