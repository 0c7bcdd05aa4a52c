import { type OtlpAnyValue, type OtlpSpan, toOtlpLogs, toOtlpTraces } from '@tracewire/otlp';
import { describe, expect, it } from 'vitest';
import { encodeLogs, encodeTraces } from '../src/internal/proto-encode';
import { billingTrace, richTrace, standaloneLogs } from './helpers/fixtures';
import { decodeLogs, decodeTraces } from './helpers/official-proto';

/**
 * The OTLP/JSON request as OpenTelemetry's generated code decodes the same message
 * (longs as decimal strings, enums as numbers; bytes are compared as hex), so
 * `decode(encode(json))` can be compared with it whole.
 */
function asDecoded(value: unknown, key?: string): unknown {
  if (Array.isArray(value))
    return value.map((item) => asDecoded(item, key === 'values' ? 'value' : undefined));
  if (value === null || typeof value !== 'object') return value;
  const any = value as OtlpAnyValue & Record<string, unknown>;
  if (key === 'value' || key === 'body') {
    if (any.intValue !== undefined) return { intValue: String(any.intValue) };
    if (any.doubleValue !== undefined) return { doubleValue: Number(any.doubleValue) };
    if (any.bytesValue !== undefined)
      return { bytesValue: Buffer.from(any.bytesValue, 'base64').toString('hex') };
  }
  const out: Record<string, unknown> = {};
  for (const [k, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    out[k] = asDecoded(inner, k);
  }
  return out;
}

/** decoded.toObject() leaves empty repeated fields out; so does this. */
function withoutEmptyLists(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyLists);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, inner] of Object.entries(value)) {
    if (Array.isArray(inner) && inner.length === 0) continue;
    out[k] = withoutEmptyLists(inner);
  }
  return out;
}

const same = (json: unknown) => withoutEmptyLists(asDecoded(json));

/** What the generated code decoded, with bytes (ids, bytesValue) as hex. */
function decoded(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(decoded);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, inner] of Object.entries(value)) out[k] = decoded(inner);
  return out;
}
const traces = (bytes: Uint8Array): any => decoded(decodeTraces(bytes));
const logs = (bytes: Uint8Array): any => decoded(decodeLogs(bytes));

function oneSpan(overrides: Partial<OtlpSpan>): OtlpSpan {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name: 'GET /users/:id',
    kind: 2,
    startTimeUnixNano: '1764720000123456000',
    endTimeUnixNano: '1764720000125456000',
    attributes: [],
    status: {},
    ...overrides,
  };
}

function request(spans: OtlpSpan[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
        scopeSpans: [{ scope: { name: 'tracewire', version: '0.1.0' }, spans }],
      },
    ],
  };
}

describe('the protobuf writer, decoded with OpenTelemetry generated code', () => {
  it('traces: the whole request reads back as the OTLP/JSON it was written from', () => {
    const json = toOtlpTraces([richTrace(), billingTrace()], { 'service.version': '1.4.2' });
    expect(traces(encodeTraces(json))).toEqual(same(json));
  });

  it('logs: the whole request reads back as the OTLP/JSON it was written from', () => {
    const json = toOtlpLogs(standaloneLogs());
    expect(logs(encodeLogs(json))).toEqual(same(json));
  });

  it('writes lengths of one, two and three bytes, and non-ASCII text', () => {
    const long = 'x'.repeat(20_000);
    const json = request([
      oneSpan({
        name: 'ß'.repeat(70),
        attributes: [
          { key: 'short', value: { stringValue: 'a'.repeat(127) } },
          { key: 'two-byte length', value: { stringValue: 'b'.repeat(128) } },
          { key: 'three-byte length', value: { stringValue: long } },
          { key: 'emoji', value: { stringValue: 'trace 🧵 wire' } },
          { key: 'empty', value: { stringValue: '' } },
        ],
      }),
    ]);
    const span = traces(encodeTraces(json)).resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.name).toBe('ß'.repeat(70));
    expect(span.attributes.map((kv: any) => kv.value.stringValue)).toEqual([
      'a'.repeat(127),
      'b'.repeat(128),
      long,
      'trace 🧵 wire',
      '',
    ]);
    expect(traces(encodeTraces(json))).toEqual(same(json));
  });

  it('writes every scalar type, negative and 64-bit values included', () => {
    const json = request([
      oneSpan({
        startTimeUnixNano: '0',
        endTimeUnixNano: '18446744073709551615',
        flags: 0x301,
        droppedAttributesCount: 300,
        attributes: [
          { key: 'neg', value: { intValue: '-42' } },
          { key: 'big', value: { intValue: '9007199254740993' } },
          { key: 'num', value: { intValue: 7 } },
          { key: 'pi', value: { doubleValue: 3.5 } },
          { key: 'nan', value: { doubleValue: 'NaN' } },
          { key: 'inf', value: { doubleValue: '-Infinity' } },
          { key: 'yes', value: { boolValue: true } },
          { key: 'no', value: { boolValue: false } },
          { key: 'raw', value: { bytesValue: Buffer.from([0, 1, 254]).toString('base64') } },
          {
            key: 'list',
            value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } },
          },
          {
            key: 'map',
            value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } },
          },
        ],
      }),
      oneSpan({ spanId: '00f067aa0ba902b7', startTimeUnixNano: '1764720000123456789' }),
    ]);
    const decoded = traces(encodeTraces(json));
    const [first, second] = decoded.resourceSpans[0].scopeSpans[0].spans;
    expect(first.endTimeUnixNano).toBe('18446744073709551615');
    expect(first.attributes[0].value.intValue).toBe('-42');
    expect(first.attributes[4].value.doubleValue).toBeNaN();
    expect(first.attributes[5].value.doubleValue).toBe(Number.NEGATIVE_INFINITY);
    expect(second.startTimeUnixNano).toBe('1764720000123456789');
    const { attributes: _a, ...rest } = first;
    const { attributes: _b, ...expectedRest } = (same(json) as any).resourceSpans[0].scopeSpans[0]
      .spans[0];
    expect(rest).toEqual(expectedRest);
  });

  it('returns a copy: a later message does not change an earlier one', () => {
    const first = encodeTraces(request([oneSpan({ name: 'first' })]));
    const copy = Buffer.from(first);
    encodeTraces(request([oneSpan({ name: 'second', spanId: '00f067aa0ba902b7' })]));
    expect(Buffer.from(first)).toEqual(copy);
  });

  it('grows for a large batch, and encodes small ones correctly after it', () => {
    const spans = Array.from({ length: 5_000 }, (_, i) =>
      oneSpan({
        spanId: i.toString(16).padStart(16, '0'),
        attributes: [{ key: 'payload', value: { stringValue: 'p'.repeat(300) } }],
      }),
    );
    const big = request(spans);
    const bytes = encodeTraces(big);
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    expect(traces(bytes).resourceSpans[0].scopeSpans[0].spans).toHaveLength(5_000);
    const small = request([oneSpan({})]);
    expect(traces(encodeTraces(small))).toEqual(same(small));
  });
});
