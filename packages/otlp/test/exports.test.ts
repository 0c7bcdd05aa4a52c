import { expect, it } from 'vitest';

it('keeps the public exports of @tracewire/otlp stable', async () => {
  const api = await import('@tracewire/otlp');
  expect(Object.keys(api).sort()).toEqual([
    'OtlpSeverityNumber',
    'OtlpSpanKind',
    'OtlpStatusCode',
    'decodeOtlpLogs',
    'decodeOtlpTraces',
    'fromOtlpTraces',
    'otlpExporter',
    'toOtlpLogs',
    'toOtlpTraces',
  ]);
});
