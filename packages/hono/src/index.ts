export { setRoute } from './set-route';
export { type TracingVariables, tracing } from './tracing';
