/**
 * Test utilities for tracewire adapters and apps: the shared adapter contract
 * suite (needs vitest), real-socket request helpers and waiting helpers.
 */
export { runAdapterContract } from './adapter-contract';
export {
  type ClientResponse,
  type ContractApp,
  contractHandlers,
  type MakeContractApp,
  send,
  settle,
  waitForTraces,
} from './harness';
