// Every service exports to the local collector (`tracewire dev`) over the native HTTP format.
import { createTracer, httpExporter, registerShutdown } from '@tracewire/core';

export function serviceTracer(serviceName) {
  const tracer = createTracer({
    serviceName,
    environment: 'demo',
    exporter: httpExporter({
      url: process.env.TRACEWIRE_ENDPOINT ?? 'http://127.0.0.1:4318/v1/tracewire',
    }),
    batch: { scheduledDelayMs: 100 },
  });
  registerShutdown(tracer, { timeoutMs: 3000 });
  return tracer;
}

export function port(name, fallback) {
  return Number(process.env[name] ?? fallback);
}

export function ready(name, port) {
  console.log(`[${name}] listening on http://127.0.0.1:${port}`);
  process.send?.({ ready: name });
}
