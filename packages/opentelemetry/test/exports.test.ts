import { expect, it } from 'vitest';

it('keeps the public exports of @tracewire/opentelemetry stable', async () => {
  const api = await import('@tracewire/opentelemetry');
  expect(Object.keys(api).sort()).toEqual(['registerOpenTelemetry']);
});
