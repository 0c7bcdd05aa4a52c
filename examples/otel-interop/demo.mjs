// One trace across OpenTelemetry and tracewire: `tracewire dev`, then
// storefront (OpenTelemetry) -> orders (tracewire + Express) -> inventory (OpenTelemetry),
// each its own process, and one request through all three.
//
//   pnpm start          run, print the waterfall and the viewer URL, keep running (Ctrl-C stops)
//   pnpm start --once   run, check the trace arrived whole, exit
// Uses the built packages: run `pnpm build` at the repository root first.
import { fork } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '@tracewire/devtools';

const once = process.argv.includes('--once');
const children = [];
const service = (file) => fileURLToPath(new URL(`./services/${file}`, import.meta.url));

// 4318 is where OpenTelemetry exporters send by default; another free port if it is taken.
const port = await new Promise((resolve) => {
  const probe = createServer();
  probe.on('error', () => resolve(0));
  probe.listen(4318, '127.0.0.1', () => probe.close(() => resolve(4318)));
});
const dev = await startDevServer({ port, host: '127.0.0.1' });
console.log(`tracewire dev collector and viewer on ${dev.url}`);

async function stop(code) {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map((child) =>
      child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : null,
    ),
  );
  await dev.close();
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

/** Starts one service and resolves with its URL once it listens. */
function start(name, file, env, execArgv = []) {
  return new Promise((resolve, reject) => {
    const child = fork(service(file), {
      env: { ...process.env, OTEL_SERVICE_NAME: name, ...env },
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    child.on('message', (message) => {
      if (message?.type === 'ready') resolve(`http://127.0.0.1:${message.port}`);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code}`)));
  });
}

const otel = ['--require', service('otel-setup.cjs')];
let storefront;
try {
  const inventory = await start(
    'inventory',
    'otel-service.cjs',
    { OTEL_EXPORTER_OTLP_ENDPOINT: dev.url },
    otel,
  );
  const orders = await start('orders', 'tracewire-service.mjs', {
    TRACEWIRE_ENDPOINT: `${dev.url}/v1/tracewire`,
    INVENTORY_URL: inventory,
  });
  storefront = await start(
    'storefront',
    'otel-service.cjs',
    { OTEL_EXPORTER_OTLP_ENDPOINT: dev.url, DOWNSTREAM_URL: `${orders}/orders/42` },
    otel,
  );
} catch (error) {
  console.error(`demo: ${error.message}`);
  await stop(1);
}

const response = await fetch(`${storefront}/checkout`);
const chain = await response.json();
// storefront starts the trace; the traceparent it sent to orders names it.
const traceId = chain.downstream.received.traceparent.split('-')[1];
console.log(`-> GET /checkout  ${response.status}  trace ${traceId}`);

let trace;
try {
  trace = await dev.store.waitFor((t) => t.id === traceId && t.services.length === 3, 15_000);
} catch {
  console.error(`demo check failed: trace ${traceId} never arrived from all three services`);
  await stop(1);
}
const ids = new Set(trace.spans.map((s) => s.spanId));
const roots = trace.spans.filter((s) => s.parentId === null || !ids.has(s.parentId));
if (roots.length !== 1) {
  console.error(`demo check failed: ${roots.length} root spans, expected 1`);
  await stop(1);
}
console.log(`   ${trace.spans.length} spans from ${trace.services.join(', ')}, one tree`);

if (once) {
  await stop(0);
} else {
  console.log(`Open ${dev.url}/trace/${traceId} to explore it. Press Ctrl-C to stop.`);
}
