export { formatBaggage, isBaggageKey, parseBaggage } from './baggage';
export { type HeaderCarrier, readHeader, setHeader } from './headers';
export { extract, injectContext } from './propagator';
export { formatTraceparent, parseTraceparent } from './traceparent';
export {
  formatTracestate,
  isTracestateKey,
  isTracestateValue,
  parseTracestate,
  type TracestateEntry,
  tracestateWith,
} from './tracestate';
