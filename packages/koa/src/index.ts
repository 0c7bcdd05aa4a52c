export { recordError } from './record-error';
export { setRoute } from './set-route';
export { type KoaTracingOptions, type TracingState, tracing } from './tracing';
