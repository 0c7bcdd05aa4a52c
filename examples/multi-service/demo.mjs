// The tracewire demo: a local collector and viewer, four services in four processes
// (Hono gateway -> Express orders -> Koa payments + NestJS inventory), and a few
// requests whose traces join up across all of them.
//
//   pnpm demo          run, print the waterfalls and the viewer URL, keep running (Ctrl-C stops)
//   pnpm demo --once   run, check that every trace arrived whole, exit (used in CI)
import { fork } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '@tracewire/devtools';
import { startPostgres } from '../../scripts/postgres.mjs';

const once = process.argv.includes('--once');
const services = ['gateway', 'orders', 'payments', 'inventory'];
const children = [];

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

async function preferredPort(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.on('error', () => resolve(freePort()));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(port)));
  });
}

const collectorPort = await preferredPort(Number(process.env.TRACEWIRE_DEV_PORT ?? 4318));
const dev = await startDevServer({ port: collectorPort, host: '127.0.0.1', quiet: false });
const ports = Object.fromEntries(
  await Promise.all(services.map(async (s) => [s, await freePort()])),
);
const url = (service) => `http://127.0.0.1:${ports[service]}`;

// The orders service keeps its orders in PostgreSQL when a server can be started here.
const postgres = await startPostgres({ required: false }).catch((error) => ({
  available: false,
  reason: `PostgreSQL did not start: ${error.message}`,
}));
if (postgres.available)
  console.log(`PostgreSQL for the orders service on 127.0.0.1:${postgres.port}`);
else console.log(`${postgres.reason}\nGoing on without it: orders simulates its insert.`);

async function stop(code) {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) =>
          child.exitCode !== null ? resolve() : child.once('exit', resolve),
        ),
    ),
  );
  await dev.close();
  if (postgres.available) await postgres.stop();
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

console.log(`tracewire dev collector and viewer on ${dev.url}`);
await Promise.all(
  services.map(
    (service) =>
      new Promise((resolve, reject) => {
        const child = fork(fileURLToPath(new URL(`./services/${service}.mjs`, import.meta.url)), {
          env: {
            ...process.env,
            PORT: String(ports[service]),
            TRACEWIRE_ENDPOINT: `${dev.url}/v1/tracewire`,
            ORDERS_URL: url('orders'),
            PAYMENTS_URL: url('payments'),
            INVENTORY_URL: url('inventory'),
            ...(postgres.available ? { DATABASE_URL: postgres.connectionString } : {}),
          },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        children.push(child);
        const timer = setTimeout(
          () => reject(new Error(`${service} did not start within 30 s`)),
          30_000,
        );
        child.on('message', (message) => {
          if (message?.ready === service) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${service} exited with code ${code}`));
        });
      }),
  ),
).catch(async (error) => {
  console.error(`demo: ${error.message}`);
  await stop(1);
});

const traceIdOf = (res) => res.headers.get('traceresponse')?.split('-')[1];
const requests = [
  {
    label: 'checkout that succeeds',
    method: 'POST',
    path: '/checkout/sku-7?card=ok',
    expect: { services, status: 'ok', database: postgres.available },
  },
  {
    label: 'checkout whose payment fails',
    method: 'POST',
    path: '/checkout/sku-9?card=declined',
    expect: { services: ['gateway', 'orders', 'payments'], status: 'error' },
  },
  {
    label: 'recommendation with an LLM span',
    method: 'GET',
    path: '/recommend/u-17',
    expect: { services: ['gateway', 'inventory'], status: 'ok', llm: true },
  },
];

const sent = [];
for (const request of requests) {
  const res = await fetch(`${url('gateway')}${request.path}`, { method: request.method });
  await res.text();
  sent.push({ ...request, traceId: traceIdOf(res), httpStatus: res.status });
  console.log(`-> ${request.method} ${request.path}  ${res.status}  trace ${traceIdOf(res)}`);
}

const problems = [];
for (const request of sent) {
  const { traceId, expect } = request;
  let trace;
  try {
    trace = await dev.store.waitFor(
      (t) => t.id === traceId && expect.services.every((s) => t.services.includes(s)),
      15_000,
    );
  } catch {
    const partial = dev.store.get(traceId);
    problems.push(
      `${request.label}: trace ${traceId} never arrived whole (services: ${partial?.services?.join(', ') ?? 'none'})`,
    );
    continue;
  }
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const roots = trace.spans.filter((s) => !s.parentId || !ids.has(s.parentId));
  if (roots.length !== 1) problems.push(`${request.label}: ${roots.length} root spans, expected 1`);
  const failed = trace.spans.some((s) => s.status === 'error');
  if ((expect.status === 'error') !== failed)
    problems.push(`${request.label}: expected status ${expect.status}`);
  if (
    expect.status === 'error' &&
    !trace.spans.some((s) => s.status === 'error' && s.serviceName === 'payments')
  ) {
    problems.push(`${request.label}: the failure is not marked on a payments span`);
  }
  if (
    expect.llm &&
    !trace.spans.some((s) => s.kind === 'llm' && s.model && s.usage && s.cost !== undefined)
  ) {
    problems.push(`${request.label}: no LLM span with model, usage and cost`);
  }
  const queries = trace.spans.filter(
    (s) =>
      s.attributes?.['otel.scope.name'] === '@opentelemetry/instrumentation-pg' &&
      (s.attributes['db.statement'] ?? s.attributes['db.query.text']) !== undefined,
  );
  if (expect.database && queries.length < 2) {
    problems.push(`${request.label}: expected the orders service's PostgreSQL query spans`);
  }
  console.log(
    `   ${request.label}: ${trace.spans.length} spans from ${trace.services.join(', ')}${failed ? ' (failed)' : ''}${queries.length > 0 ? `, ${queries.length} PostgreSQL queries` : ''}`,
  );
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`demo check failed: ${problem}`);
  await stop(1);
}

console.log(`\nAll ${sent.length} traces arrived whole, each one timeline across its services.`);
if (once) {
  await stop(0);
} else {
  console.log(`Open ${dev.url} to explore them. Press Ctrl-C to stop.`);
}
