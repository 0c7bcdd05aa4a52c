import { EventEmitter } from 'node:events';
import { OutgoingMessage, type ServerResponse } from 'node:http';

/*
 * Node's own response methods, called on the response rather than looked up on
 * it: Express gives every response a new prototype, so each name read from it
 * misses the inline cache (counted in bench/). Only for real `OutgoingMessage`s;
 * the edge build (`node-response-methods.edge.ts`) has no Node responses.
 */
export const nodeResponseMethods = {
  getHeader: OutgoingMessage.prototype.getHeader,
  hasHeader: OutgoingMessage.prototype.hasHeader,
  setHeader: OutgoingMessage.prototype.setHeader,
  on: EventEmitter.prototype.on,
  // A getter on OutgoingMessage.prototype on every supported Node (>= 20).
  writableFinished: Object.getOwnPropertyDescriptor(OutgoingMessage.prototype, 'writableFinished')
    ?.get as (this: ServerResponse) => boolean,
  /** A real Node response, not a stand-in with the same methods (tests, wrappers). Not a type guard: both are typed `ServerResponse`. */
  isNodeResponse(res: object): boolean {
    return res instanceof OutgoingMessage;
  },
};
