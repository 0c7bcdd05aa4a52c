import { expect, it } from 'vitest';

it('exports the public API and nothing else', async () => {
  expect(Object.keys(await import('@tracewire/koa')).sort()).toMatchInlineSnapshot(`
    [
      "recordError",
      "setRoute",
      "tracing",
    ]
  `);
});
