import type { Span } from '../span';
import { Trace, type TraceRuntime } from '../trace';
import { DEFAULT_LIMITS } from './limits';

const RESOLVED = Promise.resolve();

/** A runtime that records nothing: spans made on it only carry ids. */
const disabledRuntime: TraceRuntime = {
  serviceName: 'noop',
  environment: undefined,
  limits: DEFAULT_LIMITS,
  contextEnabled: false,
  redactQuery: [],
  clientPolicy: undefined,
  recording: false,
  headSample: () => false,
  keepAtEnd: () => false,
  deliver: () => RESOLVED,
};

let shared: Trace | undefined;

/** The span handed to code that runs outside any trace: every call on it is a no-op. */
export function noopSpan(): Span {
  shared ??= new Trace(disabledRuntime, { name: 'noop' });
  return shared.rootSpan;
}
