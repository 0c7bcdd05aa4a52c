/**
 * `@tracewire/core/http`: what adapter authors need, beside the user's API at
 * the root. The HTTP server lifecycle for Node and fetch runtimes, the request
 * registry, option checking for an adapter's own options, and the export
 * pipeline's building blocks for exporter authors.
 */

export {
  activeCarrier,
  type ContextCarrier,
  isUntraced,
  runWithCarrier,
} from '../context/storage';
export { type PostBatchOptions, postBatch } from '../export/http-transport';
export {
  type DropReason,
  ExportPipeline,
  type ExportPipelineOptions,
  type ExportProblem,
  type ExportStats,
  type QueuedTrace,
} from '../export/pipeline';
export { checkOptions, is, type OptionRule, type OptionTable } from '../validation/options-check';
export { isHttpClientInstrumented } from './client-instrumentation';
export { endWithFetchResponse, type FetchResponseOptions, fetchRequestInfo } from './fetch';
export { HTTP_TRACING_OPTIONS } from './http-tracing-options';
export { endWithNodeResponse, type NodeResponseOptions, nodeRequestInfo } from './node';
export { requestRegistry } from './request-registry';
export {
  type HttpOutcome,
  type HttpRequestInfo,
  HttpServerTracing,
  httpServerTracing,
  type RequestKeying,
  ServerRequest,
  serverRequestOf,
} from './server-tracing';
