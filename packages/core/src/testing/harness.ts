import { type Agent, request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { currentSpan, currentTrace, span } from '../context/current';
import type { MemoryExporter } from '../export/memory-exporter';
import type { HttpTracingOptions } from '../http/server-tracing';
import type { Tracer } from '../tracer';
import type { TraceData } from '../types';

/**
 * The routes every adapter's contract app serves, wired to the framework's own
 * routing (so route templates come from the framework):
 *
 * | route                 | behaviour                                                   |
 * |-----------------------|-------------------------------------------------------------|
 * | GET /users/:id        | `await contractHandlers.user(id)`, 200 JSON                 |
 * | GET /context          | `await contractHandlers.context()`, 200 JSON                |
 * | GET /status/:code     | responds with that status code (no error thrown)            |
 * | GET /fail             | throws `new Error('boom')` synchronously in the handler      |
 * | GET /async-fail       | `await delay(5)` then throws `new Error('async boom')`       |
 * | GET /slow             | waits `contractHandlers.slow()` (~1.5 s), then 200           |
 * | GET /stream           | writes `contractHandlers.streamChunks()` over time, then ends |
 * | GET /sse              | `text/event-stream`, writes 3 `data:` events ~10 ms apart, ends |
 * | GET /health           | 200 'ok'                                                    |
 * | GET /echo             | 200, echoes the query string                                |
 * | GET /call             | `await contractHandlers.call()` (an outgoing fetch), 200 JSON |
 *
 * Errors must reach the framework's own error handling, which answers 500.
 */
export interface ContractApp {
  /** Base URL of a real server listening on 127.0.0.1, e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
}

/** Builds the contract app with tracing installed through the adapter under test. */
export type MakeContractApp = (setup: {
  tracer: Tracer;
  options: HttpTracingOptions;
  /**
   * How many times to install tracing (default 1). 2: install it twice, the
   * way an app and a sub-app (or a module and a global interceptor) both
   * might; the request must still be traced once.
   */
  installs?: number;
}) => Promise<ContractApp>;

/** Handler bodies shared by every contract app, so all adapters do the same work. */
export const contractHandlers = {
  /** A child span around a fake lookup, with an await inside. */
  async user(id: string): Promise<{ id: string; traceId: string | undefined }> {
    await span('db.lookup', async (s) => {
      s.setAttribute('user.id', id);
      await delay(1 + (Number(id) % 5));
      s.setAttribute('db.rows', 1);
    });
    return { id, traceId: currentTrace()?.id };
  },
  /** What the implicit context holds after an await inside a handler. */
  async context(): Promise<{ traceId: string | null; spanId: string | null }> {
    await delay(1);
    return { traceId: currentTrace()?.id ?? null, spanId: currentSpan()?.id ?? null };
  },
  slow(): Promise<void> {
    return delay(1500);
  },
  /** Chunks to write with ~10 ms between them. */
  streamChunks(): string[] {
    return ['one\n', 'two\n', 'three\n'];
  },
  chunkGapMs: 10,
  /** Where `call()` sends its request: a server the contract runs on 127.0.0.1. */
  downstreamUrl: '',
  /** An outgoing fetch from inside the handler, to the contract's downstream server. */
  async call(): Promise<{ status: number; traceId: string | undefined }> {
    const res = await fetch(`${contractHandlers.downstreamUrl}/downstream`);
    await res.text();
    return { status: res.status, traceId: currentTrace()?.id };
  },
};

export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A raw HTTP request over a real socket: can send repeated headers (which fetch
 * cannot), and can abort after a delay.
 */
export function send(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string | string[]>;
    agent?: Agent;
    abortAfterMs?: number;
  } = {},
): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: options.agent },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.abortAfterMs !== undefined) {
      setTimeout(() => {
        req.destroy();
        resolve({ status: 0, headers: {}, body: '' });
      }, options.abortAfterMs);
    }
    req.end();
  });
}

/**
 * Waits until the exporter holds traces matching `predicate` (flushing as it
 * polls), since a server ends its trace only after the client saw the response.
 */
export async function waitForTraces(
  tracer: Tracer,
  exporter: MemoryExporter,
  predicate: (trace: TraceData) => boolean,
  count = 1,
  timeoutMs = 5000,
): Promise<TraceData[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await tracer.flush();
    const found = exporter.traces().filter(predicate);
    if (found.length >= count) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `expected ${count} matching trace(s), found ${found.length}; exported: ${exporter
          .traces()
          .map((t) => t.name)
          .join(', ')}`,
      );
    }
    await delay(10);
  }
}

/** Lets late ends land, then returns every trace with that id (to check "exactly once"). */
export async function settle(tracer: Tracer, exporter: MemoryExporter, traceId: string, ms = 100) {
  await delay(ms);
  await tracer.flush();
  return exporter.traces().filter((t) => t.id === traceId);
}
