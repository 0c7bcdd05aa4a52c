import type { Attributes, AttributeValue, LogData, SpanData, Status, TraceData } from '../../types';

/**
 * Text rendering of finished traces as waterfall trees, shared by the console
 * exporter and the CLI. Pure: data in, string out, no I/O.
 */

export interface RenderOptions {
  /** Maximum visible columns per line; ANSI colour codes do not count. */
  width: number;
  colors: boolean;
  /** Print a trace's correlated logs under the span that emitted them. */
  showLogs: boolean;
  /**
   * Extra attributes shown inline: `true` shows all of them, a list shows those
   * keys. The key attributes (HTTP and LLM fields) are shown either way.
   */
  showAttributes: boolean | readonly string[];
}

export const DEFAULT_RENDER_OPTIONS: RenderOptions = {
  width: 100,
  colors: false,
  showLogs: true,
  showAttributes: false,
};

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray';

const SGR: Record<Style, string> = {
  bold: '1',
  dim: '2',
  red: '31',
  green: '32',
  yellow: '33',
  blue: '34',
  magenta: '35',
  cyan: '36',
  gray: '90',
};

/** One run of text on a line; lines are laid out on plain text and painted last. */
interface Segment {
  text: string;
  style?: Style | undefined;
}

const ELLIPSIS = '…';
const BAR_FILL = '█';
const BAR_EDGE = '│';
const DURATION_WIDTH = 8;
/** Room the label column leaves for the details after the bar, when it can. */
const MAX_DETAILS_RESERVE = 20;
const MIN_LABEL_WIDTH = 8;
const MAX_RAILS = 600;
const MIN_HEADER_NAME = 24;

/**
 * Renders one trace: a header line, then one line per span in tree order, each
 * with its duration and a bar on a time axis scaled to the trace. No trailing
 * newline.
 *
 * @example
 * process.stdout.write(renderTrace(trace, { width: 120, colors: true }) + '\n');
 */
export function renderTrace(trace: TraceData, options: Partial<RenderOptions> = {}): string {
  const opts = { ...DEFAULT_RENDER_OPTIONS, ...options };
  const width = Math.max(1, Math.floor(opts.width));
  const lines: Segment[][] = [header(trace, width)];

  const rows = treeRows(trace.spans);
  if (rows.length === 0) {
    lines.push([{ text: '(no spans)', style: 'dim' }]);
    return finish(lines, width, opts.colors);
  }

  const logsBySpan = opts.showLogs ? groupLogs(trace, rows) : new Map<number, LogData[]>();
  const axis = timeAxis(trace);
  const barWidth = clamp(Math.round(width / 4), 6, 40);
  // Two spaces, two bar edges and one space before the details.
  const fixed = DURATION_WIDTH + barWidth + 5;
  const labels = rows.map((row) => label(row, trace.spans[row.index]!));
  const longest = labels.reduce((n, l) => Math.max(n, labelWidthOf(l)), 0);
  const detailsRoom = Math.min(MAX_DETAILS_RESERVE, Math.floor(width / 5));
  const labelWidth = Math.min(longest, Math.max(MIN_LABEL_WIDTH, width - fixed - detailsRoom));

  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const span = trace.spans[row.index]!;
    lines.push(spanLine(span, labels[i]!, labelWidth, barWidth, axis, opts));
    const logs = logsBySpan.get(row.index);
    if (logs !== undefined) {
      const indent = row.childPrefix + (row.hasChildren ? '│  ' : '   ');
      for (const log of logs) lines.push(logLine(indent, log));
    }
  }
  return finish(lines, width, opts.colors);
}

/**
 * Renders a standalone log record as one line: time, level, service, message,
 * and its trace id when it has one. No trailing newline.
 *
 * @example
 * renderLog(log, { width: 100 }); // '2024-05-01T10:00:00.000Z INFO  api  user signed up'
 */
export function renderLog(log: LogData, options: Partial<RenderOptions> = {}): string {
  const opts = { ...DEFAULT_RENDER_OPTIONS, ...options };
  const width = Math.max(1, Math.floor(opts.width));
  const time = Number.isFinite(log.time) ? new Date(log.time).toISOString() : '?';
  const segments: Segment[] = [
    { text: time, style: 'dim' },
    { text: ' ' },
    { text: printable(log.level).toUpperCase().padEnd(5), style: levelStyle(log.level) },
    { text: ' ' },
    { text: printable(log.serviceName), style: 'cyan' },
    { text: '  ' },
    { text: printable(log.message) },
  ];
  const extras: string[] = [];
  if (log.type === 'analytics') {
    extras.push(log.eventType ? `event=${printable(log.eventType)}` : 'analytics');
  }
  if (log.userId) extras.push(`user=${printable(log.userId)}`);
  if (log.sessionId) extras.push(`session=${printable(log.sessionId)}`);
  if (log.traceId) extras.push(`trace=${printable(log.traceId)}`);
  extras.push(...selectedAttributes(log.attributes, opts.showAttributes, new Set()));
  if (extras.length > 0) segments.push({ text: `  ${extras.join(' ')}`, style: 'dim' });
  return paint(fitWidth(segments, width), opts.colors);
}

/**
 * Formats a duration in milliseconds with a unit that keeps it short:
 * `850µs`, `1.25ms`, `12.3ms`, `123ms`, `1.23s`, `12.3s`, `2m05s`, `1h02m`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const v = Math.max(0, ms);
  if (v < 0.9995) return `${Math.round(v * 1000)}µs`;
  if (v < 9.995) return `${v.toFixed(2)}ms`;
  if (v < 99.95) return `${v.toFixed(1)}ms`;
  if (v < 999.5) return `${v.toFixed(0)}ms`;
  const s = v / 1000;
  if (s < 9.995) return `${s.toFixed(2)}s`;
  if (s < 59.95) return `${s.toFixed(1)}s`;
  const totalSeconds = Math.round(s);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h${String(totalMinutes % 60).padStart(2, '0')}m`;
}

// --- header ---------------------------------------------------------------

const DROPPED_LABELS: Record<string, string> = {
  spans: 'spans',
  attributes: 'attrs',
  truncatedAttributes: 'truncated attrs',
  events: 'events',
  logs: 'logs',
  truncatedIo: 'truncated io',
};

/**
 * When the header is too long the trace's name gives way first, down to a
 * readable stub, then the end of the line.
 */
function header(trace: TraceData, width: number): Segment[] {
  const service = trace.environment
    ? `${printable(trace.serviceName)} (${printable(trace.environment)})`
    : printable(trace.serviceName);
  const count = trace.spans.length;
  const tail: Segment[] = [
    { text: '  ' },
    { text: service, style: 'cyan' },
    { text: '  ' },
    { text: formatDuration(trace.endTime - trace.startTime) },
    // `unset` is the normal state of a healthy trace: only informative statuses are shown.
    ...(trace.status === 'unset'
      ? []
      : [{ text: '  ' }, { text: printable(trace.status), style: statusStyle(trace.status) }]),
    { text: '  ' },
    { text: `${count} ${count === 1 ? 'span' : 'spans'}` },
  ];
  const cost = totalCost(trace.spans);
  if (cost !== undefined)
    tail.push({ text: '  ' }, { text: `${formatCost(cost)} total`, style: 'green' });
  const dropped = Object.entries(trace.dropped ?? {})
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .map(([key, n]) => `${n} ${DROPPED_LABELS[key] ?? printable(key)}`);
  tail.push({ text: '  ' }, { text: printable(trace.id), style: 'gray' });
  if (dropped.length > 0) {
    tail.push({ text: '  ' }, { text: `dropped ${dropped.join(', ')}`, style: 'yellow' });
  }
  const tailWidth = tail.reduce((n, s) => n + textWidth(s.text), 0);
  const name = truncate(printable(trace.name), Math.max(MIN_HEADER_NAME, width - tailWidth));
  return [{ text: name, style: 'bold' }, ...tail];
}

// --- tree -----------------------------------------------------------------

interface Row {
  /** Index into `trace.spans`. */
  index: number;
  /** Tree drawing before the span name (ancestors' rails and this connector). */
  prefix: string;
  /** Rails that this span's children and logs continue from. */
  childPrefix: string;
  hasChildren: boolean;
}

/**
 * Orders spans depth-first under `spans[0]`. Spans whose parent is not in the
 * trace, and any left unreachable by a parent cycle, hang under the root, so
 * every span is shown exactly once.
 */
function treeRows(spans: readonly SpanData[]): Row[] {
  if (spans.length === 0) return [];
  const indexById = new Map<string, number>();
  for (let i = 0; i < spans.length; i++) {
    const id = spans[i]!.spanId;
    if (!indexById.has(id)) indexById.set(id, i);
  }
  const children: number[][] = spans.map(() => []);
  for (let i = 1; i < spans.length; i++) {
    const parentId = spans[i]!.parentId;
    const parent = parentId === null ? undefined : indexById.get(parentId);
    children[parent === undefined || parent === i ? 0 : parent]!.push(i);
  }
  const byStart = (a: number, b: number) => startOf(spans[a]!) - startOf(spans[b]!);
  for (const list of children) list.sort(byStart);

  // A parent cycle leaves spans unreachable from the root: one span of each
  // such group joins the root's children, and the rest follow beneath it.
  const reachable = new Set<number>();
  const mark = (from: number) => {
    const stack = [from];
    reachable.add(from);
    while (stack.length > 0) {
      for (const child of children[stack.pop()!]!) {
        if (!reachable.has(child)) {
          reachable.add(child);
          stack.push(child);
        }
      }
    }
  };
  mark(0);
  if (reachable.size < spans.length) {
    for (let i = 1; i < spans.length; i++) {
      if (reachable.has(i)) continue;
      children[0]!.push(i);
      mark(i);
    }
    children[0]!.sort(byStart);
  }

  // Iterative, so a pathologically deep chain cannot overflow the stack; rails
  // are capped because nothing past the line width is ever visible.
  const rows: Row[] = [];
  const visited = new Set<number>([0]);
  const stack: Array<{ index: number; prefix: string; childPrefix: string }> = [
    { index: 0, prefix: '', childPrefix: '' },
  ];
  while (stack.length > 0) {
    const { index, prefix, childPrefix } = stack.pop()!;
    const kids = children[index]!.filter((k) => !visited.has(k));
    for (const k of kids) visited.add(k);
    rows.push({ index, prefix, childPrefix, hasChildren: kids.length > 0 });
    const rails = childPrefix.length > MAX_RAILS ? childPrefix.slice(0, MAX_RAILS) : childPrefix;
    for (let n = kids.length - 1; n >= 0; n--) {
      const last = n === kids.length - 1;
      stack.push({
        index: kids[n]!,
        prefix: rails + (last ? '└─ ' : '├─ '),
        childPrefix: rails + (last ? '   ' : '│  '),
      });
    }
  }
  return rows;
}

function groupLogs(trace: TraceData, rows: readonly Row[]): Map<number, LogData[]> {
  const rowBySpanId = new Map<string, number>();
  for (const row of rows) {
    const id = trace.spans[row.index]!.spanId;
    if (!rowBySpanId.has(id)) rowBySpanId.set(id, row.index);
  }
  const grouped = new Map<number, LogData[]>();
  for (const log of trace.logs ?? []) {
    const index = (log.spanId !== undefined && rowBySpanId.get(log.spanId)) || 0;
    const list = grouped.get(index);
    if (list === undefined) grouped.set(index, [log]);
    else list.push(log);
  }
  for (const list of grouped.values()) list.sort((a, b) => a.time - b.time);
  return grouped;
}

// --- span lines -----------------------------------------------------------

interface Axis {
  start: number;
  total: number;
}

function timeAxis(trace: TraceData): Axis {
  const total = trace.endTime - trace.startTime;
  return { start: trace.startTime, total: Number.isFinite(total) && total > 0 ? total : 0 };
}

/** A span's label column: tree rails, name, and kind when it is not internal. */
interface Label {
  rails: string;
  name: string;
  kind: string;
  error: boolean;
}

function label(row: Row, span: SpanData): Label {
  return {
    rails: row.prefix,
    name: printable(span.name),
    kind: span.kind === 'internal' ? '' : ` ${printable(span.kind)}`,
    error: span.status === 'error',
  };
}

function labelWidthOf(l: Label): number {
  return textWidth(l.rails) + textWidth(l.name) + textWidth(l.kind);
}

function spanLine(
  span: SpanData,
  spanLabel: Label,
  labelWidth: number,
  barWidth: number,
  axis: Axis,
  opts: RenderOptions,
): Segment[] {
  const labelCells = labelSegments(spanLabel, labelWidth);
  const used = labelCells.reduce((n, s) => n + textWidth(s.text), 0);
  const [from, to] = barCells(span, axis, barWidth);
  const line: Segment[] = [
    ...labelCells,
    { text: ' '.repeat(labelWidth - used + 2) },
    { text: formatDuration(durationOf(span)).padStart(DURATION_WIDTH) },
    { text: ' ' },
    { text: BAR_EDGE, style: 'dim' },
    { text: ' '.repeat(from) },
    { text: BAR_FILL.repeat(to - from), style: barStyle(span) },
    { text: ' '.repeat(barWidth - to) },
    { text: BAR_EDGE, style: 'dim' },
  ];
  const details = spanDetails(span, opts.showAttributes);
  if (details.length > 0) {
    line.push({ text: ' ' });
    details.forEach((d, i) => {
      if (i > 0) line.push({ text: ' ' });
      line.push(d);
    });
  }
  return line;
}

/**
 * Lays out a label in `width` columns, shortening the name first so the tree
 * rails and the kind stay readable.
 */
function labelSegments(l: Label, width: number): Segment[] {
  const room = width - textWidth(l.rails) - textWidth(l.kind);
  const name = room >= 2 ? truncate(l.name, room) : l.name;
  const segments: Segment[] = [
    { text: l.rails, style: 'dim' },
    { text: name, style: l.error ? 'red' : undefined },
    { text: l.kind, style: 'gray' },
  ];
  return fitWidth(segments, width);
}

/** The half-open cell range `[from, to)` of a span's bar; never empty. */
function barCells(span: SpanData, axis: Axis, width: number): [number, number] {
  if (axis.total === 0) return [0, width];
  const start = startOf(span, axis.start) - axis.start;
  const from = clamp(Math.floor((start / axis.total) * width), 0, width - 1);
  const to = clamp(Math.ceil(((start + durationOf(span)) / axis.total) * width), from + 1, width);
  return [from, to];
}

function spanDetails(span: SpanData, showAttributes: RenderOptions['showAttributes']): Segment[] {
  const out: Segment[] = [];
  const mark = statusMark(span);
  if (mark) out.push(mark);

  const attrs = span.attributes ?? {};
  const shown = new Set<string>();
  const take = (key: string): string | undefined => {
    const value = attrs[key];
    if (value === undefined || value === null) return undefined;
    shown.add(key);
    return formatValue(value);
  };
  if (span.kind === 'server' || span.kind === 'client') {
    const http = [
      take('http.request.method'),
      take('http.route') ?? take('url.path'),
      take('http.response.status_code'),
    ].filter((v) => v !== undefined);
    if (http.length > 0) out.push({ text: http.join(' ') });
  }

  const llm: string[] = [];
  if (span.model) llm.push(printable(span.model));
  if (span.provider)
    llm.push(span.model ? `(${printable(span.provider)})` : printable(span.provider));
  const usage = span.usage;
  if (usage && (usage.inputTokens !== undefined || usage.outputTokens !== undefined)) {
    llm.push(`tokens ${usage.inputTokens ?? '?'} in/${usage.outputTokens ?? '?'} out`);
  } else if (usage?.totalTokens !== undefined) {
    llm.push(`tokens ${usage.totalTokens}`);
  }
  if (typeof span.cost === 'number' && Number.isFinite(span.cost)) llm.push(formatCost(span.cost));
  if (llm.length > 0) out.push({ text: llm.join(' '), style: 'green' });

  const extra = selectedAttributes(attrs, showAttributes, shown);
  if (extra.length > 0) out.push({ text: extra.join(' '), style: 'dim' });
  return out;
}

function statusMark(span: SpanData): Segment | undefined {
  if (span.status === 'error') {
    const message = span.error
      ? `${printable(span.error.type)}: ${printable(span.error.message)}`
      : printable(span.statusMessage ?? 'error');
    return { text: `✗ ${message}`, style: 'red' };
  }
  if (span.status === 'aborted' || span.status === 'cancelled') {
    const message = span.statusMessage ?? span.error?.message;
    return {
      text: `⊘ ${span.status}${message ? `: ${printable(message)}` : ''}`,
      style: 'yellow',
    };
  }
  return undefined;
}

function logLine(indent: string, log: LogData): Segment[] {
  return [
    { text: indent, style: 'dim' },
    { text: printable(log.level).padEnd(5), style: levelStyle(log.level) },
    { text: ' ' },
    { text: printable(log.message) },
  ];
}

// --- values ---------------------------------------------------------------

function selectedAttributes(
  attrs: Attributes | undefined,
  showAttributes: RenderOptions['showAttributes'],
  alreadyShown: ReadonlySet<string>,
): string[] {
  if (!attrs || showAttributes === false) return [];
  const keys = showAttributes === true ? Object.keys(attrs) : showAttributes;
  const out: string[] = [];
  for (const key of keys) {
    const value = attrs[key];
    if (alreadyShown.has(key) || value === undefined || value === null) continue;
    out.push(`${printable(key)}=${formatValue(value)}`);
  }
  return out;
}

function formatValue(value: NonNullable<AttributeValue>): string {
  if (Array.isArray(value)) return `[${value.map((v) => printable(String(v))).join(',')}]`;
  return printable(String(value));
}

/** The sum of the spans' costs, or undefined when no span has one. */
function totalCost(spans: readonly SpanData[]): number | undefined {
  let total: number | undefined;
  for (const span of spans) {
    if (typeof span.cost === 'number' && Number.isFinite(span.cost)) {
      total = (total ?? 0) + span.cost;
    }
  }
  return total;
}

function formatCost(cost: number): string {
  if (cost === 0) return '$0';
  return `$${Math.abs(cost) >= 1 ? cost.toFixed(2) : cost.toPrecision(2)}`;
}

/** A span's start, falling back to the trace start when the data is broken. */
function startOf(span: SpanData, fallback = 0): number {
  return Number.isFinite(span.startTime) ? span.startTime : fallback;
}

function durationOf(span: SpanData): number {
  const d = span.endTime - span.startTime;
  if (Number.isFinite(d)) return Math.max(0, d);
  return Number.isFinite(span.durationMs) ? Math.max(0, span.durationMs) : 0;
}

function statusStyle(status: Status): Style | undefined {
  if (status === 'error') return 'red';
  if (status === 'aborted' || status === 'cancelled') return 'yellow';
  if (status === 'ok') return 'green';
  return undefined;
}

function levelStyle(level: string): Style | undefined {
  if (level === 'error') return 'red';
  if (level === 'warn') return 'yellow';
  if (level === 'debug') return 'gray';
  return 'cyan';
}

function barStyle(span: SpanData): Style {
  if (span.status === 'error') return 'red';
  if (span.status === 'aborted' || span.status === 'cancelled') return 'yellow';
  switch (span.kind) {
    case 'server':
      return 'blue';
    case 'client':
      return 'magenta';
    case 'llm':
    case 'embedding':
      return 'green';
    default:
      return 'cyan';
  }
}

// --- text -----------------------------------------------------------------

/**
 * Makes data safe to print: control characters (which could move the cursor or
 * change colours when names or attributes come from a hostile request) become
 * spaces or U+FFFD.
 */
export function printable(value: unknown): string {
  const text = String(value);
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      out += text.slice(start, i) + (c === 0x09 || c === 0x0a || c === 0x0d ? ' ' : '\uFFFD');
      start = i + 1;
    }
  }
  return start === 0 ? text : out + text.slice(start);
}

/** Visible columns: one per code point (surrogate pairs never split). */
function textWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function truncate(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (width <= 0) return '';
  return (
    Array.from(text)
      .slice(0, width - 1)
      .join('') + ELLIPSIS
  );
}

/** Cuts a line to `width` visible columns, ending it with an ellipsis when cut. */
function fitWidth(segments: Segment[], width: number): Segment[] {
  const total = segments.reduce((n, s) => n + textWidth(s.text), 0);
  if (total <= width) return segments;
  const out: Segment[] = [];
  let room = width - 1;
  for (const s of segments) {
    const w = textWidth(s.text);
    if (w <= room) {
      out.push(s);
      room -= w;
      continue;
    }
    out.push({ ...s, text: Array.from(s.text).slice(0, room).join('') });
    break;
  }
  out.push({ text: ELLIPSIS, style: out[out.length - 1]?.style });
  return out;
}

function paint(segments: Segment[], colors: boolean): string {
  let out = '';
  for (const s of segments) {
    out += colors && s.style && s.text ? `\x1b[${SGR[s.style]}m${s.text}\x1b[0m` : s.text;
  }
  return out.trimEnd();
}

function finish(lines: Segment[][], width: number, colors: boolean): string {
  return lines.map((line) => paint(fitWidth(line, width), colors)).join('\n');
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
