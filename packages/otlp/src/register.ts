import { otlpExporter } from './otlp-exporter';

/**
 * Loading this package registers `otlpExporter` where core's default tracer
 * looks first (a registered symbol, so any loaded copy of core finds it): an
 * app bundled with esbuild or webpack, whose bundle has no `node_modules` for
 * core's lazy `import('@tracewire/otlp')`, exports OTLP from
 * `OTEL_EXPORTER_OTLP_ENDPOINT` once it says `import '@tracewire/otlp';`.
 */
const slot = globalThis as { [key: symbol]: unknown };
slot[Symbol.for('tracewire.exporters.otlp')] = otlpExporter;
