import { expect, it } from 'vitest';

it('exports the public API', async () => {
  expect(Object.keys(await import('@tracewire/nestjs')).sort()).toMatchInlineSnapshot(`
    [
      "CurrentSpan",
      "CurrentTrace",
      "InjectTracer",
      "TRACER",
      "Traced",
      "TracingInterceptor",
      "TracingModule",
    ]
  `);
});
