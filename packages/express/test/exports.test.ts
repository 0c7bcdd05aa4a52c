import { expect, it } from 'vitest';

it('exports only the documented API', async () => {
  expect(Object.keys(await import('@tracewire/express')).sort()).toMatchInlineSnapshot(`
    [
      "tracing",
      "tracingErrorHandler",
    ]
  `);
});
