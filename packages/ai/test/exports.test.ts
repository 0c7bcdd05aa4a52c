import { expect, it } from 'vitest';

it('keeps the public exports of @tracewire/ai stable', async () => {
  const api = await import('@tracewire/ai');
  expect(Object.keys(api).sort()).toEqual(['observeAnthropic', 'observeOpenAI']);
});
