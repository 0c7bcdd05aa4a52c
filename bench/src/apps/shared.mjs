// What every app variant shares: the fake lookup, the AsyncLocalStorage of the
// `als` floor, and the tracewire tracer of the traced variants.
import { AsyncLocalStorage } from 'node:async_hooks';

export const VARIANTS = [
  'bare',
  'als',
  'tracewire',
  'tracewire-nocontext',
  'tracewire-sampled',
  'tracewire-nocontext-sampled',
  'floor',
  'otel',
];
/** What `pnpm bench` runs unless told: `floor` is a yardstick, asked for by name. */
export const DEFAULT_VARIANTS = VARIANTS.filter((variant) => variant !== 'floor');
/** Every variant the targets need (what `count --variants targets` runs). */
export const TARGET_VARIANTS = VARIANTS;

/**
 * The `-sampled` variants serve the same app as their unsampled twin, with a
 * tracer that head-samples 10% (`sampler: 0.1`, parent-based; the load sends no
 * `traceparent`, so the ratio decides).
 */
export function appVariant(variant) {
  return variant.endsWith('-sampled') ? variant.slice(0, -'-sampled'.length) : variant;
}

/** The head-sampling ratio of a tracewire variant. */
export function samplingRatio(variant) {
  return variant.endsWith('-sampled') ? 0.1 : 1;
}
export const FRAMEWORKS = ['express', 'koa', 'hono', 'nestjs'];

/**
 * The "database": async, so context has to survive an await, as it would
 * around a real query.
 */
export async function findUser(id) {
  return { id, name: `user-${id}`, plan: 'pro' };
}

/** The floor for any tracer with implicit context: one `run()` per request. */
export const als = new AsyncLocalStorage();

/** What the `als` variant stores per request, roughly what a tracer would. */
export function alsStore(method, url) {
  return { method, url, startedAt: performance.now() };
}

/** Fails loudly if the floor variant lost its context, so it cannot be faster by being broken. */
export function requireStore() {
  const store = als.getStore();
  if (store === undefined) throw new Error('als variant: context lost');
  return store;
}

/**
 * The tracer of the tracewire variants: 100% sampling (or `ratio`, parent-based),
 * exporting over HTTP to the sink with core's `httpExporter`, so export cost is
 * in the numbers.
 */
export async function tracewireTracer({
  sinkUrl,
  context,
  serviceName,
  exporter = 'http',
  ratio = 1,
  scheduledDelayMs,
}) {
  const core = await import('@tracewire/core');
  return core.createTracer({
    serviceName,
    sampler: ratio === 1 ? core.alwaysOn() : ratio,
    exporter: await tracewireExporter(core, exporter, sinkUrl),
    context,
    ...(scheduledDelayMs !== undefined ? { batch: { scheduledDelayMs } } : {}),
  });
}

/**
 * `http` is the real thing. The others split the cost apart when diagnosing:
 * `noop` takes every finished trace and discards it unserialised (request path
 * plus queueing), `none` gives the tracer no exporter, so nothing is recorded
 * (context and ids only).
 */
async function tracewireExporter(core, kind, sinkUrl) {
  if (kind === 'none') return undefined;
  if (kind === 'noop') return { name: 'noop', export: () => ({ ok: true }) };
  const httpExporter = core.httpExporter ?? (await bundledHttpExporter());
  return httpExporter({ url: sinkUrl });
}

// @tracewire/core did not export httpExporter from its entry when this bench was
// written; until it does, the exporter is bundled from core's own source.
async function bundledHttpExporter() {
  const { buildCoreModule } = await import('../lib/core-source.mjs');
  const mod = await import(await buildCoreModule('export/http-exporter.ts', ['httpExporter']));
  process.emitWarning('bench: @tracewire/core has no httpExporter export; using its source.');
  return mod.httpExporter;
}
