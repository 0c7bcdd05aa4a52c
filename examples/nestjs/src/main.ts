// A small NestJS API traced with @tracewire/nestjs.
//
//   pnpm --filter @tracewire/example-nestjs start          serve on 127.0.0.1:$PORT (default 3004)
//   pnpm --filter @tracewire/example-nestjs start --once   serve, call itself, print the traces, exit
//
// Build first (`pnpm build` at the root). Every request prints its trace as a
// waterfall on stdout (the console exporter).
import 'reflect-metadata';
import { setTimeout as delay } from 'node:timers/promises';
import { NestFactory } from '@nestjs/core';
import { consoleExporter, createTracer } from '@tracewire/core';
import { AppModule, configureApp } from './app.module.js';

const tracer = createTracer({ serviceName: 'nestjs-example', exporter: consoleExporter() });

async function main() {
  const once = process.argv.includes('--once');
  const port = once ? 0 : Number(process.env.PORT ?? 3004);
  const app = configureApp(
    await NestFactory.create(AppModule.tracedBy(tracer), {
      logger: once ? false : ['error', 'warn'],
    }),
  );
  await app.listen(port, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  if (!once) {
    console.log(`nestjs example listening on ${base} — try ${base}/api/v1/users/1/summary`);
    const stop = async () => {
      await app.close();
      await tracer.shutdown();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }

  for (const path of [
    '/api/v1/users/1',
    '/api/v1/users/2/summary',
    '/api/v1/users/9',
    '/api/fail',
    '/api/health',
  ]) {
    const res = await fetch(`${base}${path}`);
    await res.text();
    console.log(
      `${res.status} GET ${path}  traceresponse: ${res.headers.get('traceresponse') ?? '-'}`,
    );
  }
  // Traces end once each response has finished; give the last one a moment, then flush them all.
  await delay(50);
  await tracer.shutdown();
  await app.close();
}

await main();
