import { consoleExporter } from './export/console-exporter';
import { httpExporter } from './export/http-exporter';
import { importFromApp, resolvableFromApp, warn } from './internal/app-import';
import { globalState } from './internal/global';
import { alwaysOff, alwaysOn, parentBased, ratioSampler, type Sampler } from './sampling/samplers';
import { createTracer, type Tracer, type TracerOptions } from './tracer';
import type { ExportBatch, Exporter, ExportResult } from './types';

type Env = Record<string, string | undefined>;

const KEY = 'defaultTracer';

/**
 * The process-wide tracer used by `tracing()` without a `tracer` option: set
 * with `setDefaultTracer()`, or built on first use from the environment.
 */
export function getDefaultTracer(): Tracer {
  const state = globalState();
  let tracer = state[KEY] as Tracer | undefined;
  if (tracer === undefined) {
    tracer = createTracer(tracerOptionsFromEnv(processEnv()));
    state[KEY] = tracer;
  }
  return tracer;
}

/** Makes `tracer` the default for middleware created without a `tracer` option. */
export function setDefaultTracer(tracer: Tracer | undefined): void {
  globalState()[KEY] = tracer;
}

/**
 * Tracer options from the standard OpenTelemetry variables (`OTEL_SERVICE_NAME`,
 * `OTEL_EXPORTER_OTLP_*`, `OTEL_TRACES_SAMPLER[_ARG]`, `OTEL_SDK_DISABLED`,
 * `OTEL_RESOURCE_ATTRIBUTES`) and tracewire's own (`TRACEWIRE_ENDPOINT`,
 * `TRACEWIRE_TOKEN`, `TRACEWIRE_ENVIRONMENT`). With nothing configured, traces
 * go to the console unless `NODE_ENV` is `production`.
 */
export function tracerOptionsFromEnv(env: Env): TracerOptions {
  const resource = parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  const serviceName =
    nonEmpty(env.OTEL_SERVICE_NAME) ??
    resource['service.name'] ??
    nonEmpty(env.npm_package_name) ??
    'unknown_service:node';
  const environment =
    nonEmpty(env.TRACEWIRE_ENVIRONMENT) ??
    resource['deployment.environment.name'] ??
    resource['deployment.environment'] ??
    nonEmpty(env.NODE_ENV);
  const options: TracerOptions = { serviceName, environment };
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    options.enabled = false;
    return options;
  }
  const sampler = samplerFromEnv(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG);
  if (sampler) options.sampler = sampler;
  const exporters: Exporter[] = [];
  const selected = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim().toLowerCase());
  if (nonEmpty(env.TRACEWIRE_ENDPOINT)) {
    const token = nonEmpty(env.TRACEWIRE_TOKEN);
    exporters.push(
      httpExporter({
        url: env.TRACEWIRE_ENDPOINT as string,
        getAuthToken: token ? async () => token : undefined,
      }),
    );
  }
  const otlpConfigured =
    nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (otlpConfigured || selected.includes('otlp')) exporters.push(lazyOtlpExporter());
  if (selected.includes('console')) exporters.push(consoleExporter());
  if (exporters.length === 0 && !selected.includes('none') && env.NODE_ENV !== 'production') {
    exporters.push(consoleExporter());
  }
  if (exporters.length > 0) options.exporter = exporters;
  return options;
}

function samplerFromEnv(name: string | undefined, arg: string | undefined): Sampler | undefined {
  const ratio = () => {
    const value = Number(arg);
    return arg !== undefined && value >= 0 && value <= 1 ? value : 1;
  };
  switch (name?.trim().toLowerCase()) {
    case 'always_on':
      return alwaysOn();
    case 'always_off':
      return alwaysOff();
    case 'traceidratio':
      return ratioSampler(ratio());
    case 'parentbased_always_on':
      return parentBased(alwaysOn());
    case 'parentbased_always_off':
      return parentBased(alwaysOff());
    case 'parentbased_traceidratio':
      return parentBased(ratioSampler(ratio()));
    default:
      return undefined;
  }
}

function parseResourceAttributes(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const pair of value.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      out[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // An undecodable value is skipped, as the OpenTelemetry spec allows.
    }
  }
  return out;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The OTLP exporter lives in @tracewire/otlp (core has no dependencies); it is
 * loaded on first export so that configuring OTLP through the environment works
 * whenever that package is installed.
 */
function lazyOtlpExporter(): Exporter {
  if (registeredOtlp() === undefined && !resolvableFromApp('@tracewire/otlp')) {
    // A bundle (esbuild, webpack) has no node_modules to import from later: say so at start.
    warn(
      "OTEL_EXPORTER_OTLP_ENDPOINT is set but @tracewire/otlp is neither loaded nor installed, so nothing will be exported over OTLP. Add one line to your app's entry: import '@tracewire/otlp'; (install it first if needed: npm install @tracewire/otlp).",
      'TRACEWIRE_OTLP_MISSING',
    );
  }
  let loading: Promise<Exporter | Error> | undefined;
  const load = async (): Promise<Exporter | Error> => {
    try {
      const registered = registeredOtlp();
      if (registered !== undefined) return registered();
      const mod = (await importFromApp('@tracewire/otlp')) as { otlpExporter?: () => Exporter };
      if (typeof mod.otlpExporter !== 'function') throw new Error('otlpExporter not found');
      return mod.otlpExporter();
    } catch (error) {
      return new Error(
        `OTEL_EXPORTER_OTLP_ENDPOINT is set but @tracewire/otlp could not be loaded (${String(
          (error as Error)?.message ?? error,
        )}); install it with \`npm install @tracewire/otlp\`.`,
      );
    }
  };
  return {
    name: 'otlp',
    async export(batch: ExportBatch, signal: AbortSignal): Promise<ExportResult> {
      loading ??= load();
      const exporter = await loading;
      if (exporter instanceof Error) return { ok: false, retryable: false, error: exporter };
      return exporter.export(batch, signal);
    },
  };
}

/** `otlpExporter`, when `@tracewire/otlp` was loaded (bundled or not): it registers itself. */
function registeredOtlp(): (() => Exporter) | undefined {
  const factory = (globalThis as { [key: symbol]: unknown })[
    Symbol.for('tracewire.exporters.otlp')
  ];
  return typeof factory === 'function' ? (factory as () => Exporter) : undefined;
}

/** The environment, where the runtime has one (edge runtimes may have no `process`). */
function processEnv(): Env {
  const env = (globalThis as { process?: { env?: Env } }).process?.env;
  return env !== null && typeof env === 'object' ? env : {};
}
