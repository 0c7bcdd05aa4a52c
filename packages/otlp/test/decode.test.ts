import {
  decodeOtlpLogs,
  decodeOtlpTraces,
  fromOtlpTraces,
  toOtlpLogs,
  toOtlpTraces,
} from '@tracewire/otlp';
import { describe, expect, it } from 'vitest';
import { encodeLogs, encodeTraces } from '../src/internal/proto-encode';
import { billingTrace, richTrace, standaloneLogs } from './helpers/fixtures';

describe('decoding OTLP protobuf into the OTLP/JSON shape', () => {
  it('traces: decode(encode(x)) reads back as the same traces', () => {
    const traces = [richTrace(), billingTrace()];
    const json = toOtlpTraces(traces);
    const decoded = decodeOtlpTraces(encodeTraces(json));
    const span = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof span.startTimeUnixNano).toBe('string');
    expect(fromOtlpTraces(decoded)).toEqual(fromOtlpTraces(json));
  });

  it('logs: ids come back as hex and severities as numbers', () => {
    const json = toOtlpLogs(standaloneLogs());
    const decoded = decodeOtlpLogs(encodeLogs(json));
    const records = decoded.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords));
    const original = json.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords));
    expect(records.map((r) => [r.severityNumber, r.body?.stringValue])).toEqual(
      original.map((r) => [r.severityNumber, r.body?.stringValue]),
    );
  });

  it('rejects bytes that are not an OTLP message', () => {
    expect(() => decodeOtlpTraces(new Uint8Array([0xff, 0xff, 0xff]))).toThrow();
  });
});
