// One app variant in its own process. The driver starts it (pinned to its own
// CPU), then talks over IPC: `mark` starts a measured window, `stats` reports the
// process's own CPU time and memory over it, `stop` flushes and exits.
import { register } from 'node:module';
import v8 from 'node:v8';
import { appVariant, FRAMEWORKS, samplingRatio, VARIANTS } from './apps/shared.mjs';

const config = JSON.parse(process.argv[2] ?? '{}');
const {
  framework,
  variant,
  sinkUrl,
  tracewireExporter,
  nestjsInterceptor = false,
  expressRouterErrors = true,
  scheduledDelayMs,
} = config;
if (!FRAMEWORKS.includes(framework) || !VARIANTS.includes(variant)) {
  console.error(`server: unknown framework/variant ${framework}/${variant}`);
  process.exit(2);
}

if (framework === 'nestjs') {
  // For every NestJS variant alike: see lib/peer-hooks.mjs.
  register('./lib/peer-hooks.mjs', import.meta.url, {
    data: {
      adaptersUrl: new URL('../../packages/', import.meta.url).href,
      benchUrl: import.meta.url,
    },
  });
}

const deps = {
  tracer: undefined,
  span: undefined,
  otel: undefined,
  floor: undefined,
  nestjsInterceptor,
  expressRouterErrors,
};
if (variant === 'otel') {
  // Before the framework is loaded, so the instrumentations can patch it.
  const { setupOtel } = await import('./apps/otel.mjs');
  deps.otel = setupOtel(framework, sinkUrl);
}
const served = appVariant(variant);
if (served === 'tracewire' || served === 'tracewire-nocontext') {
  const { tracewireTracer } = await import('./apps/shared.mjs');
  const core = await import('@tracewire/core');
  deps.span = core.span;
  deps.tracer = await tracewireTracer({
    sinkUrl,
    context: served === 'tracewire',
    ratio: samplingRatio(variant),
    scheduledDelayMs,
    serviceName: `bench-${framework}`,
    exporter: tracewireExporter,
  });
}

if (variant === 'floor') {
  const { floorTracer } = await import('./apps/floor.mjs');
  deps.floor = floorTracer(sinkUrl);
}

const app = await import(`./apps/${framework}.mjs`);
const server = await app.start(served, deps);
server.keepAliveTimeout = 30_000;
const { port } = server.address();

let mark = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };
const rssSamples = [];
let sampler;

// The young generation's reserved size (semi-spaces and new large objects) when
// the load stops: V8 grows it with the allocation rate, up to
// --max-semi-space-size, and does not shrink it until the process idles.
const YOUNG = new Set(['new_space', 'new_large_object_space']);
function youngBytes() {
  let bytes = 0;
  for (const space of v8.getHeapSpaceStatistics())
    if (YOUNG.has(space.space_name)) bytes += space.space_size;
  return bytes;
}

process.on('message', async (message) => {
  switch (message?.type) {
    case 'mark':
      mark = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };
      process.send({ type: 'mark', rss: process.memoryUsage.rss() });
      break;
    case 'stats': {
      const cpu = process.cpuUsage(mark.cpu);
      process.send({
        type: 'stats',
        cpuUserUs: cpu.user,
        cpuSystemUs: cpu.system,
        wallMs: Number(process.hrtime.bigint() - mark.at) / 1e6,
        rss: process.memoryUsage.rss(),
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        heapUsed: process.memoryUsage().heapUsed,
        youngBytes: youngBytes(),
        tracer: (deps.tracer ?? deps.floor)?.stats(),
        rssSamples,
      });
      break;
    }
    case 'sample-rss':
      clearInterval(sampler);
      rssSamples.length = 0;
      sampler = setInterval(() => {
        rssSamples.push({ t: Date.now(), rss: process.memoryUsage.rss() });
      }, message.everyMs ?? 1000);
      sampler.unref();
      process.send({ type: 'sample-rss' });
      break;
    case 'stop':
      await stop();
      break;
  }
});
process.on('disconnect', () => stop());

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(sampler);
  server.closeAllConnections?.();
  server.close();
  const flushes = [];
  if (deps.tracer) flushes.push(deps.tracer.shutdown(2_000));
  if (deps.floor) flushes.push(deps.floor.shutdown());
  if (deps.otel) flushes.push(deps.otel.provider.shutdown());
  await Promise.race([Promise.allSettled(flushes), new Promise((r) => setTimeout(r, 3_000))]);
  process.exit(0);
}

process.send({ type: 'ready', port });
