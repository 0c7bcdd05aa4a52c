import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { TraceData } from '../../../src/types';

/** One request as the collector saw it, body already gunzipped when it was gzip. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  body: string;
  json: { schemaVersion: number; resource?: unknown; traces: TraceData[]; logs: unknown[] };
}

/**
 * What to do with the n-th request (0-based): a status with optional headers and
 * body, or `'hang'` to never answer.
 */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | 'hang';

export interface Collector {
  url: string;
  requests: ReceivedRequest[];
  /** Distinct TCP connections accepted so far. */
  connections(): number;
  /** Trace ids from every request that was answered 2xx, in arrival order. */
  acceptedTraceIds(): string[];
  close(): Promise<void>;
}

/** A real HTTP collector on 127.0.0.1 and an ephemeral port. */
export async function startCollector(
  reply: (request: ReceivedRequest, index: number) => Reply = () => ({ status: 200 }),
): Promise<Collector> {
  const requests: ReceivedRequest[] = [];
  const accepted: string[] = [];
  const hanging = new Set<ServerResponse>();
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const body = (
        req.headers['content-encoding'] === 'gzip' ? gunzipSync(rawBody) : rawBody
      ).toString('utf8');
      let json: ReceivedRequest['json'];
      try {
        json = JSON.parse(body);
      } catch {
        json = { schemaVersion: 0, traces: [], logs: [] };
      }
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawBody,
        body,
        json,
      };
      const index = requests.length;
      requests.push(received);
      const answer = reply(received, index);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      const respond = () => {
        if (answer.status >= 200 && answer.status < 300) {
          for (const trace of json.traces ?? []) accepted.push(trace.id);
        }
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body ?? '');
      };
      if (answer.delayMs === undefined) respond();
      else setTimeout(respond, answer.delayMs);
    });
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    requests,
    connections: () => connections,
    acceptedTraceIds: () => accepted.slice(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens: connections are refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1/traces`;
}
