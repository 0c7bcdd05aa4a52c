export { currentSpan, currentTrace, inject, span } from './context/current';
export { runUntraced } from './context/storage';
export { traced } from './decorators/traced';
export { getDefaultTracer, setDefaultTracer, tracerOptionsFromEnv } from './default-tracer';
export {
  type ConsoleExporter,
  type ConsoleExporterOptions,
  consoleExporter,
} from './export/console-exporter';
export { ExportError } from './export/export-error';
export { type HttpExporterOptions, httpExporter } from './export/http-exporter';
export { type MemoryExporter, memoryExporter } from './export/memory-exporter';
export type { DropReason, ExportProblem, ExportStats } from './export/pipeline';
export {
  type RegisterShutdownOptions,
  registerShutdown,
  type ShutdownProcess,
  type ShutdownTarget,
} from './export/shutdown';
export { instrumentHttpClients } from './http/client-instrumentation';
export type { HttpClientOptions } from './http/client-policy';
export type { HeaderCapture } from './http/header-capture';
export type { HttpOutcome, HttpRequestInfo, HttpTracingOptions } from './http/server-tracing';
export type { Limits } from './limits';
export { computeCost, normalizeModelName } from './llm/cost';
export { DEFAULT_PRICES, type ModelPrice, type PriceTable } from './llm/prices';
export type { LogFields, Logger } from './log';
export {
  capturePinoLog,
  recordLogLine,
  type TraceLogFields,
  traceLogFields,
  type WithTraceFieldsOptions,
  withTraceFields,
} from './log-correlation';
export type { Mask, MaskField } from './mask/mask';
export {
  type SensitiveDataMaskerOptions,
  sensitiveDataMasker,
} from './mask/sensitive-data-masker';
export * from './propagation/index';
export type { RecordedUsage, TimeInput } from './recorded-event';
export {
  alwaysOff,
  alwaysOn,
  parentBased,
  ratioSampler,
  type Sampler,
  type SamplerOption,
  type SamplingInput,
  type TailPolicy,
} from './sampling/samplers';
export type { SpanEndOptions, SpanOptions, SpanUpdate } from './span';
export { Span } from './span';
export type { TraceOptions, TraceUpdate } from './trace';
export { Trace } from './trace';
export type {
  RecordedEvent,
  RecordedIds,
  RedactOptions,
  TracerOptions,
  TracerStats,
} from './tracer';
export { createTracer, Tracer, withSpan } from './tracer';
export * from './types';
export { VERSION } from './version';
