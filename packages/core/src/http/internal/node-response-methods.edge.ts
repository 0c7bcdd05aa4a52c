// The edge build: no Node responses exist on fetch runtimes, so every response
// handed to `endWithNodeResponse()` is a stand-in, used through its own methods.
import type { nodeResponseMethods as NodeMethods } from './node-response-methods';

function notNode(): never {
  throw new TypeError('tracewire: no Node response methods on this runtime');
}

export const nodeResponseMethods: typeof NodeMethods = {
  getHeader: notNode,
  hasHeader: notNode,
  setHeader: notNode,
  on: notNode,
  writableFinished: notNode,
  isNodeResponse: () => false,
};
