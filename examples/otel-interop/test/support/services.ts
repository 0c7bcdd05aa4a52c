import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TraceData } from '@tracewire/core';
import { build, type Plugin } from 'esbuild';

const exampleDir = fileURLToPath(new URL('../../', import.meta.url));
const servicesDir = fileURLToPath(new URL('../../services/', import.meta.url));
const packagesDir = fileURLToPath(new URL('../../../../packages/', import.meta.url));
// Inside node_modules, so the bundle's bare imports (express) resolve from this example.
const bundleDir = fileURLToPath(
  new URL('../../node_modules/.cache/otel-interop/', import.meta.url),
);

/** A finished OpenTelemetry span, as `report-to-test.cjs` sends it. */
export interface ReportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceFlags: number;
  traceState: string | null;
  name: string;
  /** OpenTelemetry's SpanKind: 0 internal, 1 server, 2 client. */
  kind: number;
}

export const OTEL_KIND = { internal: 0, server: 1, client: 2 } as const;

interface Message {
  type: string;
  port?: number;
  id?: number;
  spans?: ReportedSpan[];
  traces?: TraceData[];
  stats?: Record<string, number>;
  error?: string;
}

/** One service running as a child process, and what it has reported so far. */
export interface ServiceProcess {
  name: string;
  url: string;
  /** OpenTelemetry spans the service finished (OpenTelemetry services). */
  spans: ReportedSpan[];
  /** Traces the service exported (tracewire services). */
  traces: TraceData[];
  /** Drains the service's exporters (to the collector too); resolves with its stats, if any. */
  flush(): Promise<Record<string, number> | undefined>;
  stop(): Promise<void>;
}

interface StartOptions {
  name: string;
  file: string;
  env: Record<string, string>;
  execArgv?: string[];
}

async function startService({ name, file, env, execArgv = [] }: StartOptions) {
  const child = fork(file, [], {
    cwd: exampleDir,
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const spans: ReportedSpan[] = [];
  const traces: TraceData[] = [];
  const pendingFlushes = new Map<number, (message: Message) => void>();
  let nextFlush = 0;

  child.once('exit', (code, signal) => {
    for (const settle of pendingFlushes.values()) {
      settle({ type: 'flushed', error: `exited (${signal ?? code}) before flushing` });
    }
    pendingFlushes.clear();
  });

  const port = await new Promise<number>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    child.once('exit', onExit);
    child.on('message', (message: Message) => {
      if (message.type === 'ready') {
        child.off('exit', onExit);
        resolve(message.port!);
      } else if (message.type === 'spans') {
        spans.push(...message.spans!);
      } else if (message.type === 'traces') {
        traces.push(...message.traces!);
      } else if (message.type === 'flushed') {
        pendingFlushes.get(message.id!)?.(message);
        pendingFlushes.delete(message.id!);
      }
    });
  });

  const service: ServiceProcess = {
    name,
    url: `http://127.0.0.1:${port}`,
    spans,
    traces,
    flush() {
      const id = nextFlush++;
      return new Promise((resolve, reject) => {
        pendingFlushes.set(id, (message) => {
          if (message.error) reject(new Error(`${name} failed to flush: ${message.error}`));
          else resolve(message.stats);
        });
        child.send({ type: 'flush', id });
      });
    },
    stop: () => stop(child),
  };
  return service;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** An OpenTelemetry-only service: `node --require otel-setup.cjs otel-service.cjs`. */
export function startOtelService(
  name: string,
  options: { collector: string; downstream?: string },
): Promise<ServiceProcess> {
  return startService({
    name,
    file: `${servicesDir}otel-service.cjs`,
    execArgv: ['--require', `${servicesDir}otel-setup.cjs`],
    env: {
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_ENDPOINT: options.collector,
      ...(options.downstream === undefined ? {} : { DOWNSTREAM_URL: options.downstream }),
    },
  });
}

/** The tracewire service, bundled from the current sources first (see `bundleTracewireService`). */
export function startTracewireService(
  name: string,
  options: { bundle: string; collector: string; inventory: string },
): Promise<ServiceProcess> {
  return startService({
    name,
    file: options.bundle,
    env: {
      OTEL_SERVICE_NAME: name,
      TRACEWIRE_ENDPOINT: `${options.collector}/v1/tracewire`,
      INVENTORY_URL: options.inventory,
    },
  });
}

/**
 * The tests run tracewire from its sources, like every other test here; a child
 * process cannot use vitest's aliases, so the tracewire service is bundled with
 * `@tracewire/*` pointed at `packages/<name>/src` and every other package left external.
 */
export async function bundleTracewireService(): Promise<string> {
  mkdirSync(bundleDir, { recursive: true });
  const outfile = `${bundleDir}tracewire-service.mjs`;
  await build({
    entryPoints: [`${servicesDir}tracewire-service.mjs`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    plugins: [tracewireSources],
    logLevel: 'warning',
  });
  return outfile;
}

const tracewireSources: Plugin = {
  name: 'tracewire-sources',
  setup(build) {
    build.onResolve({ filter: /^@tracewire\/[a-z-]+$/ }, (args) => ({
      path: `${packagesDir}${args.path.slice('@tracewire/'.length)}/src/index.ts`,
    }));
  },
};
