import * as platformFastify from '@nestjs/platform-fastify';
import { expect, it } from 'vitest';
import { nestMajor } from './support/nest';

// vitest.config.ts loads these suites, the fixtures and the adapter's sources
// again for this file, with `@nestjs/*` resolved to Nest 11 (test/nest11).
import './contract.test';
import './nestjs.test';
import './exceptions-hook.test';
import './standalone.test';

it('runs the suites on Nest 11', () => {
  expect(nestMajor).toBe(11);
});

it("uploads are tested on Express only: Nest 11's Fastify platform has no FileInterceptor", () => {
  expect('FileInterceptor' in platformFastify).toBe(false);
});
