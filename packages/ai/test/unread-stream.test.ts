import { setImmediate as tick } from 'node:timers/promises';
import { observeOpenAI } from '@tracewire/ai';
import { createTracer, memoryExporter } from '@tracewire/core';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeModelServer, startFakeModelServer } from './helpers/fake-model-server';

let server: FakeModelServer;
beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(() => server.close());

const gc = (globalThis as { gc?: () => void }).gc;

it.runIf(gc !== undefined)(
  'ends the span of a stream that is never read once it is collected',
  async () => {
    expect(gc, 'vitest.config.ts runs this project with --expose-gc').toBeTypeOf('function');
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 's', exporter, batch: { scheduledDelayMs: 5 } });
    const openai = observeOpenAI(
      new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: 0 }),
      { tracer },
    );
    await (async () => {
      await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      });
    })();
    for (let i = 0; i < 50 && exporter.traces().length === 0; i++) {
      gc!();
      await tick();
      await tracer.flush();
    }
    const [trace] = exporter.traces();
    expect(trace?.spans[0]).toMatchObject({
      kind: 'llm',
      status: 'cancelled',
      statusMessage: 'stream was never read',
    });
  },
);
