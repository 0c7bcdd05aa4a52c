export { type DevServer, type DevServerOptions, startDevServer } from './dev-server';
export {
  createTraceStore,
  summarize,
  type TraceStore,
  type TraceStoreOptions,
} from './trace-store';
export type {
  AssembledSpan,
  AssembledTrace,
  LlmTotals,
  NativeBatch,
  StoreEvent,
  TraceFilter,
  TraceSummary,
  TruncatedCounts,
} from './types';
