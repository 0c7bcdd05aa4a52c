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
  NativeBatch,
  StoreEvent,
  TraceFilter,
  TraceSummary,
} from './types';
