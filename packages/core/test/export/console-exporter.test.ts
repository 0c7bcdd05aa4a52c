import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleExporter } from '../../src/export/console-exporter';
import { formatDuration, renderLog, renderTrace } from '../../src/export/internal/waterfall';
import type { ExportBatch, LogData, SpanData, TraceData } from '../../src/types';

const T0 = 1_700_000_000_000;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const signal = new AbortController().signal;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\x1b\[[0-9;]*m/g;

type SpanInit = Partial<SpanData> & { id: string; parent?: string | null; at: number; ms: number };

function span({ id, parent = null, at, ms, ...rest }: SpanInit): SpanData {
  return {
    traceId: TRACE_ID,
    spanId: id,
    parentId: parent,
    name: id,
    kind: 'internal',
    status: 'ok',
    startTime: T0 + at,
    endTime: T0 + at + ms,
    durationMs: ms,
    attributes: {},
    ...rest,
  };
}

function log(message: string, init: Partial<LogData> = {}): LogData {
  return { level: 'info', message, time: T0, serviceName: 'api', ...init };
}

/** A finished trace whose extent is its root span's (`spans[0]`). */
function makeTrace(spans: SpanData[], init: Partial<TraceData> = {}): TraceData {
  const root = spans[0]!;
  return {
    schemaVersion: 1,
    id: TRACE_ID,
    name: root.name,
    serviceName: 'api',
    status: 'ok',
    startTime: root.startTime,
    endTime: root.endTime,
    durationMs: root.durationMs,
    rootSpanId: root.spanId,
    tags: [],
    attributes: {},
    spans,
    logs: [],
    dropped: {
      spans: 0,
      attributes: 0,
      truncatedAttributes: 0,
      events: 0,
      logs: 0,
      truncatedIo: 0,
    },
    sdk: { name: '@tracewire/core', version: '0.0.0' },
    ...init,
  };
}

/** root(0-100) > [auth(2-10), db(10-40) > [query(12-30)], render(50-95)]; spans out of order. */
function nestedTrace(init: Partial<TraceData> = {}): TraceData {
  return makeTrace(
    [
      span({ id: 'root', at: 0, ms: 100 }),
      span({ id: 'render', parent: 'root', at: 50, ms: 45 }),
      span({ id: 'query', parent: 'db', at: 12, ms: 18 }),
      span({ id: 'auth', parent: 'root', at: 2, ms: 8 }),
      span({ id: 'db', parent: 'root', at: 10, ms: 30 }),
    ],
    init,
  );
}

const lines = (text: string) => text.split('\n');
const visible = (text: string) => text.replace(ANSI, '');
const width = (line: string) => Array.from(visible(line)).length;
const lineOf = (out: string, name: string) => {
  // Line 0 is the header, which starts with the trace's name.
  const found = lines(out)
    .slice(1)
    .find((l) => new RegExp(`^[│├└─ ]*${name}\\b`).test(l));
  if (found === undefined) throw new Error(`no line for ${name} in\n${out}`);
  return found;
};
/** The bar column's left edge: the last `│` before the first filled cell. */
function barEdge(plain: string): number {
  return plain.lastIndexOf('│', plain.indexOf('█'));
}
/** Where a span line's bar sits: its column's edge and width, first filled cell, filled count. */
function bar(line: string): { left: number; width: number; start: number; cells: number } {
  const plain = visible(line);
  const left = barEdge(plain);
  const column = plain.slice(left + 1, plain.indexOf('│', left + 1));
  return {
    left,
    width: column.length,
    start: column.indexOf('█'),
    cells: column.split('').filter((c) => c === '█').length,
  };
}

describe('renderTrace', () => {
  it('prints a header, then every span in tree order with children sorted by start', () => {
    const out = renderTrace(nestedTrace(), { width: 100 });
    const rows = lines(out);
    expect(rows[0]).toMatch(
      /^root {2}api {2}100ms {2}ok {2}5 spans {2}4bf92f3577b34da6a3ce929d0e0e4736$/,
    );
    expect(rows.slice(1).map((l) => l.replace(/\s+\S+\s+│.*$/, ''))).toEqual([
      'root',
      '├─ auth',
      '├─ db',
      '│  └─ query',
      '└─ render',
    ]);
  });

  it('lines bars up on one time axis: the root fills it, later spans start later', () => {
    const out = renderTrace(nestedTrace(), { width: 100 });
    const [root, auth, db, query, render] = ['root', 'auth', 'db', 'query', 'render'].map((n) =>
      bar(lineOf(out, n)),
    );
    for (const b of [auth, db, query, render]) {
      expect(b!.left).toBe(root!.left);
      expect(b!.width).toBe(root!.width);
      expect(b!.cells).toBeGreaterThanOrEqual(1);
    }
    expect(root!.start).toBe(0);
    expect(root!.cells).toBe(root!.width);
    expect(db!.start).toBeGreaterThanOrEqual(auth!.start);
    expect(render!.start).toBeGreaterThan(db!.start);
    expect(query!.start).toBeGreaterThanOrEqual(db!.start);
    // render runs 50..95 of 100 ms: its bar starts near the middle and ends before the edge.
    expect(render!.start / render!.width).toBeCloseTo(0.5, 1);
    expect(render!.start + render!.cells).toBeLessThanOrEqual(render!.width);
    expect(render!.cells).toBeLessThan(root!.cells);
  });

  it('gives a span too short for a cell one cell at its offset', () => {
    const trace = makeTrace([
      span({ id: 'root', at: 0, ms: 1000 }),
      span({ id: 'instant', parent: 'root', at: 0, ms: 0 }),
      span({ id: 'blip', parent: 'root', at: 900, ms: 0.01 }),
    ]);
    const out = renderTrace(trace, { width: 100 });
    const instant = bar(lineOf(out, 'instant'));
    expect(instant).toMatchObject({ start: 0, cells: 1 });
    const blip = bar(lineOf(out, 'blip'));
    expect(blip.cells).toBe(1);
    expect(blip.start).toBe(Math.floor(0.9 * blip.width));
  });

  it('shows the kind unless internal, and durations in µs, ms and s', () => {
    const trace = makeTrace([
      span({ id: 'root', at: 0, ms: 2500, kind: 'server' }),
      span({ id: 'fetch', parent: 'root', at: 1, ms: 0.25, kind: 'client' }),
      span({ id: 'work', parent: 'root', at: 2, ms: 12.34 }),
    ]);
    const out = renderTrace(trace, { width: 100 });
    expect(lineOf(out, 'root')).toMatch(/^root server\s+2\.50s │/);
    expect(lineOf(out, 'fetch')).toMatch(/^├─ fetch client\s+250µs │/);
    expect(lineOf(out, 'work')).toMatch(/^└─ work\s+12\.3ms │/);
  });

  it('marks error, aborted and cancelled spans with their message', () => {
    const trace = makeTrace(
      [
        span({ id: 'root', at: 0, ms: 50, status: 'aborted', statusMessage: 'client closed' }),
        span({
          id: 'boom',
          parent: 'root',
          at: 1,
          ms: 5,
          status: 'error',
          error: { type: 'TypeError', message: 'x is undefined' },
        }),
        span({ id: 'bare', parent: 'root', at: 2, ms: 5, status: 'error' }),
        span({ id: 'stop', parent: 'root', at: 3, ms: 5, status: 'cancelled' }),
        span({ id: 'fine', parent: 'root', at: 4, ms: 5 }),
      ],
      { status: 'error' },
    );
    const out = renderTrace(trace, { width: 120 });
    expect(lines(out)[0]).toContain('  error  ');
    expect(lineOf(out, 'root')).toMatch(/│ ⊘ aborted: client closed$/);
    expect(lineOf(out, 'boom')).toMatch(/│ ✗ TypeError: x is undefined$/);
    expect(lineOf(out, 'bare')).toMatch(/│ ✗ error$/);
    expect(lineOf(out, 'stop')).toMatch(/│ ⊘ cancelled$/);
    expect(lineOf(out, 'fine')).toMatch(/│$/);
  });

  it('shows HTTP key attributes on server and client spans', () => {
    const trace = makeTrace([
      span({
        id: 'root',
        at: 0,
        ms: 50,
        kind: 'server',
        attributes: {
          'http.request.method': 'GET',
          'http.route': '/users/:id',
          'url.path': '/users/42',
          'http.response.status_code': 404,
        },
      }),
      span({
        id: 'call',
        parent: 'root',
        at: 1,
        ms: 20,
        kind: 'client',
        attributes: {
          'http.request.method': 'POST',
          'url.path': '/v1/charge',
          'http.response.status_code': 201,
        },
      }),
      span({ id: 'inner', parent: 'root', at: 30, ms: 5, attributes: { 'http.route': '/no' } }),
    ]);
    const out = renderTrace(trace, { width: 120 });
    expect(lineOf(out, 'root')).toMatch(/│ GET \/users\/:id 404$/);
    expect(lineOf(out, 'call')).toMatch(/│ POST \/v1\/charge 201$/);
    expect(lineOf(out, 'inner')).not.toContain('/no');
  });

  it('shows model, provider, token usage and cost on llm spans', () => {
    const trace = makeTrace([
      span({ id: 'root', at: 0, ms: 900 }),
      span({
        id: 'chat',
        parent: 'root',
        at: 10,
        ms: 800,
        kind: 'llm',
        model: 'gpt-4o',
        provider: 'openai',
        usage: { inputTokens: 1200, outputTokens: 345 },
        cost: 0.01234,
      }),
    ]);
    expect(lineOf(renderTrace(trace, { width: 120 }), 'chat')).toMatch(
      /^└─ chat llm\s+800ms │.*│ gpt-4o \(openai\) tokens 1200 in\/345 out \$0\.012$/,
    );
  });

  it('shows the trace total cost in the header, and none when no span has a cost', () => {
    const llm = (id: string, cost: number | undefined) =>
      span({ id, parent: 'root', at: 10, ms: 100, kind: 'llm', model: 'gpt-4o-mini', cost });
    const trace = makeTrace([
      span({ id: 'root', at: 0, ms: 900 }),
      llm('plan', 0.0012),
      llm('answer', 0.0003),
      llm('free', undefined),
    ]);
    const header = renderTrace(trace, { width: 160 }).split('\n')[0]!;
    expect(header).toMatch(/4 spans {2}\$0\.0015 total {2}/);
    const plain = makeTrace([span({ id: 'root', at: 0, ms: 900 })]);
    expect(renderTrace(plain, { width: 160 }).split('\n')[0]).not.toContain('total');
  });

  it('shows extra attributes as listed, or all of them', () => {
    const trace = makeTrace([
      span({
        id: 'root',
        at: 0,
        ms: 10,
        kind: 'server',
        attributes: { 'http.request.method': 'GET', 'user.id': 'u1', tenant: 'acme', gone: null },
      }),
    ]);
    expect(lineOf(renderTrace(trace, { width: 120 }), 'root')).toMatch(/│ GET$/);
    expect(lineOf(renderTrace(trace, { width: 120, showAttributes: ['tenant'] }), 'root')).toMatch(
      /│ GET tenant=acme$/,
    );
    expect(lineOf(renderTrace(trace, { width: 120, showAttributes: true }), 'root')).toMatch(
      /│ GET user\.id=u1 tenant=acme$/,
    );
  });

  it('prints correlated logs under their span, before its children', () => {
    const trace = nestedTrace({
      logs: [
        log('rows fetched', { level: 'warn', spanId: 'db', traceId: TRACE_ID, time: T0 + 39 }),
        log('connecting', { spanId: 'db', traceId: TRACE_ID, time: T0 + 11 }),
        log('no span id', { traceId: TRACE_ID, time: T0 + 1 }),
        log('unknown span', { spanId: 'ffffffffffffffff', traceId: TRACE_ID, time: T0 + 2 }),
        log('rendered', { level: 'debug', spanId: 'render', traceId: TRACE_ID, time: T0 + 90 }),
      ],
    });
    const rows = lines(renderTrace(trace, { width: 100 }));
    const at = (text: string) => rows.findIndex((l) => l.includes(text));
    expect(rows[at('no span id')]).toBe('│  info  no span id');
    expect(rows[at('unknown span')]).toBe('│  info  unknown span');
    expect(at('no span id')).toBe(2);
    expect(at('unknown span')).toBe(3);
    expect(rows[at('connecting')]).toBe('│  │  info  connecting');
    expect(rows[at('rows fetched')]).toBe('│  │  warn  rows fetched');
    expect(at('connecting')).toBe(rows.indexOf(lineOf(rows.join('\n'), 'db')) + 1);
    expect(at('rows fetched')).toBe(at('connecting') + 1);
    expect(at('rows fetched')).toBeLessThan(rows.indexOf(lineOf(rows.join('\n'), 'query')));
    expect(rows[at('rendered')]).toBe('      debug rendered');

    const quiet = renderTrace(trace, { width: 100, showLogs: false });
    expect(quiet).not.toContain('connecting');
    expect(lines(quiet)).toHaveLength(6);
  });

  it('hangs a span whose parent is not in the trace under the root', () => {
    const trace = makeTrace([
      span({ id: 'root', at: 0, ms: 100, parentId: 'remotecaller0000' }),
      span({ id: 'stray', parent: 'dropped00000000a', at: 20, ms: 10 }),
      span({ id: 'child', parent: 'stray', at: 22, ms: 3 }),
      span({ id: 'first', parent: 'root', at: 5, ms: 5 }),
    ]);
    const out = renderTrace(trace, { width: 100 });
    expect(
      lines(out)
        .slice(1)
        .map((l) => l.replace(/\s+\S+\s+│.*$/, '')),
    ).toEqual(['root', '├─ first', '└─ stray', '   └─ child']);
  });

  it('prints every span once even when parents form a cycle', () => {
    const trace = makeTrace([
      span({ id: 'root', at: 0, ms: 100 }),
      span({ id: 'a', parent: 'b', at: 10, ms: 10 }),
      span({ id: 'b', parent: 'a', at: 20, ms: 10 }),
      span({ id: 'self', parent: 'self', at: 30, ms: 10 }),
    ]);
    const spanLines = lines(renderTrace(trace, { width: 100 })).slice(1);
    expect(spanLines.map((l) => l.replace(/\s+\S+\s+│.*$/, ''))).toEqual([
      'root',
      '├─ a',
      '│  └─ b',
      '└─ self',
    ]);
  });

  it('renders a zero-duration trace without dividing by zero', () => {
    const trace = makeTrace([
      span({ id: 'root', at: 0, ms: 0 }),
      span({ id: 'instant', parent: 'root', at: 0, ms: 0 }),
    ]);
    const out = renderTrace(trace, { width: 80 });
    expect(out).not.toMatch(/NaN|Infinity/);
    expect(lines(out)[0]).toContain('  0µs  ');
    const root = bar(lineOf(out, 'root'));
    const instant = bar(lineOf(out, 'instant'));
    expect(root.start).toBe(0);
    expect(root.cells).toBe(root.width);
    expect(instant.cells).toBeGreaterThanOrEqual(1);
    expect(instant.left).toBe(root.left);
  });

  it('keeps broken times and an empty span list printable', () => {
    const broken = makeTrace([
      span({ id: 'root', at: 0, ms: 10 }),
      span({ id: 'nan', parent: 'root', at: 0, ms: 1, startTime: Number.NaN }),
    ]);
    const out = renderTrace(broken, { width: 80 });
    expect(out).not.toMatch(/NaN|Infinity/);
    expect(bar(lineOf(out, 'nan')).cells).toBeGreaterThanOrEqual(1);

    const empty = renderTrace({ ...broken, spans: [] }, { width: 80 });
    expect(lines(empty)).toEqual([expect.stringContaining('0 spans'), '(no spans)']);
  });

  it('shortens a 200-character name with an ellipsis so no line exceeds the width', () => {
    const long = `${'x'.repeat(195)}-tail`;
    const trace = makeTrace(
      [
        span({ id: 'root', at: 0, ms: 100, name: long, kind: 'server' }),
        span({
          id: 'c',
          parent: 'root',
          at: 10,
          ms: 50,
          name: long,
          kind: 'llm',
          status: 'error',
          statusMessage: 'm'.repeat(300),
        }),
      ],
      {
        name: long,
        logs: [log('l'.repeat(300), { spanId: 'c', traceId: TRACE_ID })],
        dropped: {
          spans: 3,
          attributes: 2,
          truncatedAttributes: 1,
          events: 4,
          logs: 5,
          truncatedIo: 6,
        },
      },
    );
    for (const w of [20, 40, 80, 100, 160]) {
      for (const colors of [false, true]) {
        const out = renderTrace(trace, { width: w, colors });
        for (const line of lines(out)) expect(width(line)).toBeLessThanOrEqual(w);
        expect(out).toContain('…');
        expect(out).not.toContain('-tail');
      }
    }
    const out = renderTrace(trace, { width: 100 });
    const [root, child] = [lines(out)[1]!, lines(out)[2]!];
    // The name gives way, the kind and the bar column stay.
    expect(root).toMatch(/^x+… server\s+100ms │█+│$/);
    expect(child).toMatch(/^└─ x+… llm\s+50\.0ms │ *█+ *│ ✗ m+…$/);
    expect(barEdge(root)).toBe(barEdge(child));
  });

  it('lists non-zero dropped counts in the header only', () => {
    const clean = lines(renderTrace(nestedTrace(), { width: 160 }))[0]!;
    expect(clean).not.toContain('dropped');
    const lossy = nestedTrace({
      dropped: {
        spans: 3,
        attributes: 0,
        truncatedAttributes: 2,
        events: 0,
        logs: 1,
        truncatedIo: 0,
      },
    });
    expect(lines(renderTrace(lossy, { width: 160 }))[0]).toMatch(
      /dropped 3 spans, 2 truncated attrs, 1 logs$/,
    );
  });

  it('never lets control characters from the data reach the terminal', () => {
    const trace = makeTrace(
      [span({ id: 'root', at: 0, ms: 5, name: 'evil\x1b[2J\x07name\nnext' })],
      { logs: [log('bell\x07\x1b]0;title\x07', { traceId: TRACE_ID, spanId: 'root' })] },
    );
    const out = renderTrace(trace, { width: 100 });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(lines(out)).toHaveLength(3);
    expect(lines(out)[1]).toMatch(/^evil\uFFFD\[2J\uFFFDname next/);
  });

  it('uses no ANSI codes unless colours are on, and the same text when they are', () => {
    const trace = nestedTrace({
      status: 'error',
      logs: [log('hello', { spanId: 'db', traceId: TRACE_ID, level: 'error' })],
    });
    trace.spans[1] = { ...trace.spans[1]!, status: 'error', statusMessage: 'bad' };
    const plain = renderTrace(trace, { width: 100, colors: false });
    const coloured = renderTrace(trace, { width: 100, colors: true });
    expect(plain).not.toContain('\x1b');
    expect(coloured).toContain('\x1b[');
    expect(coloured).toContain('\x1b[31m✗ bad\x1b[0m');
    expect(visible(coloured)).toBe(plain);
  });
});

describe('formatDuration', () => {
  it('picks a unit that keeps the number short', () => {
    expect(
      [
        0, 0.0004, 0.25, 0.9996, 1, 1.234, 12.34, 123.4, 999.4, 999.6, 1234, 12_340, 125_000,
        7_380_000,
      ].map(formatDuration),
    ).toEqual([
      '0µs',
      '0µs',
      '250µs',
      '1.00ms',
      '1.00ms',
      '1.23ms',
      '12.3ms',
      '123ms',
      '999ms',
      '1.00s',
      '1.23s',
      '12.3s',
      '2m05s',
      '2h03m',
    ]);
    expect(formatDuration(-5)).toBe('0µs');
    expect(formatDuration(Number.NaN)).toBe('?');
  });
});

describe('renderLog', () => {
  it('prints time, level, service, message and what identifies the log', () => {
    const line = renderLog(
      log('user signed up', {
        level: 'warn',
        type: 'analytics',
        eventType: 'signup',
        userId: 'u1',
        traceId: TRACE_ID,
        attributes: { plan: 'pro' },
      }),
      { width: 200, showAttributes: ['plan'] },
    );
    expect(line).toBe(
      `2023-11-14T22:13:20.000Z WARN  api  user signed up  event=signup user=u1 trace=${TRACE_ID} plan=pro`,
    );
  });
});

describe('consoleExporter', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  function capture() {
    const writes: string[] = [];
    return { writes, write: (text: string) => void writes.push(text) };
  }

  it('writes each trace as a tree, then standalone logs one per line, synchronously', () => {
    const out = capture();
    const exporter = consoleExporter({ write: out.write, colors: false, width: 100 });
    expect(exporter.name).toBe('console');
    const batch: ExportBatch = {
      traces: [
        nestedTrace(),
        makeTrace([span({ id: 'second', at: 0, ms: 3 })], { id: 'f'.repeat(32) }),
      ],
      logs: [log('standalone one'), log('standalone two', { level: 'error' })],
    };
    const result = exporter.export(batch, signal);
    expect(result).toEqual({ ok: true });
    expect(out.writes).toHaveLength(1);
    const text = out.writes[0]!;
    expect(text.endsWith('\n')).toBe(true);
    const rows = lines(text.slice(0, -1));
    expect(rows[0]).toBe(lines(renderTrace(nestedTrace(), { width: 100 }))[0]);
    const second = rows.findIndex((l) => l.startsWith('second  api'));
    const firstLog = rows.findIndex((l) => l.includes('standalone one'));
    expect(second).toBeGreaterThan(5);
    expect(firstLog).toBeGreaterThan(second);
    expect(rows[firstLog]).toMatch(/^2023-11-14T22:13:20\.000Z INFO {2}api {2}standalone one$/);
    expect(rows[firstLog + 1]).toMatch(/ERROR api {2}standalone two$/);
    expect(rows).toHaveLength(firstLog + 2);
    expect(text).not.toContain('\x1b');
  });

  it('writes nothing for an empty batch, and hides logs when showLogs is false', () => {
    const out = capture();
    consoleExporter({ write: out.write }).export({ traces: [], logs: [] }, signal);
    expect(out.writes).toEqual([]);
    consoleExporter({ write: out.write, showLogs: false }).export(
      { traces: [], logs: [log('hidden')] },
      signal,
    );
    expect(out.writes).toEqual([]);
  });

  it('colours output when asked to', () => {
    const out = capture();
    consoleExporter({ write: out.write, colors: true }).export(
      { traces: [nestedTrace()], logs: [] },
      signal,
    );
    expect(out.writes[0]).toContain('\x1b[');
  });

  it('reports a trace it cannot render as a non-retryable failure, and still prints the rest', () => {
    const out = capture();
    const broken = { ...nestedTrace(), spans: null } as unknown as TraceData;
    const result = consoleExporter({ write: out.write, width: 100 }).export(
      { traces: [broken, makeTrace([span({ id: 'good', at: 0, ms: 1 })])], logs: [] },
      signal,
    );
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.ok === false && result.error).toBeInstanceOf(Error);
    expect(out.writes[0]).toContain(`could not render trace ${TRACE_ID}`);
    expect(out.writes[0]).toMatch(/^good {2}api/m);
  });

  it('reports a failing write instead of throwing', () => {
    const exporter = consoleExporter({
      write: () => {
        throw new Error('EPIPE');
      },
    });
    const result = exporter.export({ traces: [nestedTrace()], logs: [] }, signal);
    expect(result).toMatchObject({ ok: false, retryable: false, error: { message: 'EPIPE' } });
  });

  describe('defaults', () => {
    let restoreStdout: (() => void) | undefined;
    afterEach(() => {
      restoreStdout?.();
      restoreStdout = undefined;
    });

    /** Makes process.stdout look like a terminal or a pipe, and captures what it is sent. */
    function fakeStdout(isTTY: boolean | undefined, columns: number | undefined): string[] {
      const saved = (['isTTY', 'columns'] as const).map(
        (key) => [key, Object.getOwnPropertyDescriptor(process.stdout, key)] as const,
      );
      Object.defineProperty(process.stdout, 'isTTY', { configurable: true, value: isTTY });
      Object.defineProperty(process.stdout, 'columns', { configurable: true, value: columns });
      restoreStdout = () => {
        for (const [key, descriptor] of saved) {
          if (descriptor) Object.defineProperty(process.stdout, key, descriptor);
          else delete (process.stdout as unknown as Record<string, unknown>)[key];
        }
      };
      const writes: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
        writes.push(String(chunk));
        return true;
      });
      return writes;
    }

    const run = (options: Parameters<typeof consoleExporter>[0] = {}) => {
      consoleExporter(options).export({ traces: [nestedTrace()], logs: [] }, signal);
    };

    it('writes to process.stdout, colouring a TTY, at the terminal width', () => {
      vi.stubEnv('NO_COLOR', undefined);
      vi.stubEnv('FORCE_COLOR', undefined);
      const writes = fakeStdout(true, 60);
      run();
      expect(writes).toHaveLength(1);
      expect(writes[0]).toContain('\x1b[');
      expect(visible(writes[0]!)).toBe(`${renderTrace(nestedTrace(), { width: 60 })}\n\n`);
    });

    it('does not colour a pipe, and falls back to 100 columns', () => {
      vi.stubEnv('NO_COLOR', undefined);
      vi.stubEnv('FORCE_COLOR', undefined);
      const writes = fakeStdout(undefined, undefined);
      run();
      expect(writes).toEqual([`${renderTrace(nestedTrace(), { width: 100 })}\n\n`]);
    });

    it('honours NO_COLOR on a TTY, and FORCE_COLOR over it', () => {
      const writes = fakeStdout(true, 100);
      vi.stubEnv('FORCE_COLOR', undefined);
      vi.stubEnv('NO_COLOR', '1');
      run();
      expect(writes[0]).not.toContain('\x1b');
      vi.stubEnv('FORCE_COLOR', '1');
      run();
      expect(writes[1]).toContain('\x1b[');
      vi.stubEnv('NO_COLOR', undefined);
      vi.stubEnv('FORCE_COLOR', '0');
      run();
      expect(writes[2]).not.toContain('\x1b');
      vi.stubEnv('FORCE_COLOR', '1');
      run({ colors: false });
      expect(writes[3]).not.toContain('\x1b');
    });

    it('colours a custom writer on auto only when FORCE_COLOR says so', () => {
      vi.stubEnv('NO_COLOR', undefined);
      vi.stubEnv('FORCE_COLOR', undefined);
      fakeStdout(true, 100);
      const out = capture();
      run({ write: out.write, colors: 'auto' });
      vi.stubEnv('FORCE_COLOR', '1');
      run({ write: out.write, colors: 'auto' });
      expect(out.writes[0]).not.toContain('\x1b');
      expect(out.writes[1]).toContain('\x1b[');
    });
  });

  it('rejects bad options at construction with a message that says how to fix them', () => {
    expect(() => consoleExporter({ width: 5 })).toThrow(
      /`width` must be an integer of at least 20/,
    );
    expect(() => consoleExporter({ width: 80.5 })).toThrow(/`width`/);
    expect(() => consoleExporter({ colors: 'yes' as never })).toThrow(/true, false or 'auto'/);
    expect(() => consoleExporter({ write: 'stdout' as never })).toThrow(
      /`write` must be a function/,
    );
    expect(() => consoleExporter({ showAttributes: 'all' as never })).toThrow(/`showAttributes`/);
    expect(() => consoleExporter({ showLogs: 1 as never })).toThrow(/`showLogs`/);
  });
});

describe('the trace header status', () => {
  it('shows informative statuses and leaves out the normal `unset`', () => {
    const header = (status: TraceData['status']) =>
      lines(renderTrace(nestedTrace({ status }), { width: 120 }))[0]!;
    expect(header('unset')).not.toMatch(/\bunset\b/);
    expect(header('error')).toMatch(/\berror\b/);
    expect(header('aborted')).toMatch(/\baborted\b/);
    expect(header('ok')).toMatch(/\bok\b/);
  });
});
