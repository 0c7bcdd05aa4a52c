import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createTracer, memoryExporter } from '@tracewire/core';
import { waitForTraces } from '@tracewire/core/testing';
import { expect, it } from 'vitest';
import { AppModule, configureApp } from '../src/app.module.js';

it('traces the example app: service, repository, database and LLM spans', async () => {
  const exporter = memoryExporter();
  const tracer = createTracer({
    serviceName: 'nestjs-example',
    exporter,
    batch: { scheduledDelayMs: 5 },
  });
  const app = configureApp(
    await NestFactory.create(AppModule.tracedBy(tracer), { logger: false, abortOnError: false }),
  );
  await app.listen(0, '127.0.0.1');
  try {
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const summary = await fetch(`${base}/api/v1/users/2/summary`);
    expect(summary.status).toBe(200);
    expect((await fetch(`${base}/api/fail`)).status).toBe(500);
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    const [ok] = await waitForTraces(
      tracer,
      exporter,
      (t) => t.name === 'GET /api/v1/users/:id/summary',
    );
    expect(ok!.spans.map((s) => s.name)).toEqual([
      'GET /api/v1/users/:id/summary',
      'UsersService.summarize',
      'UsersService.find',
      'UsersRepository.findById',
      'db.query',
      'llm.summarize',
    ]);
    const llm = ok!.spans.find((s) => s.kind === 'llm');
    expect(llm).toMatchObject({ model: 'gpt-4o-mini', provider: 'openai', cost: 0.00018 });
    const [failed] = await waitForTraces(tracer, exporter, (t) => t.name === 'GET /api/fail');
    expect(failed!.status).toBe('error');
    expect(failed!.spans[0]!.error?.message).toBe('the storage backend is down');
    expect(
      exporter.traces().some((t) => t.spans[0]!.attributes['url.path'] === '/api/health'),
    ).toBe(false);
  } finally {
    await app.close();
    await tracer.shutdown();
  }
});
