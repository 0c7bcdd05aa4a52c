import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request as the collector saw it; `body` is gunzipped when it was sent gzip. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  body: Buffer;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface Collector {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** A real OTLP/HTTP receiver on 127.0.0.1 that records what it gets and answers as told. */
export async function startCollector(
  reply: (request: ReceivedRequest, index: number) => Reply = () => ({ status: 200 }),
): Promise<Collector> {
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody,
        body: req.headers['content-encoding'] === 'gzip' ? gunzipSync(rawBody) : rawBody,
      };
      const index = requests.length;
      requests.push(received);
      const answer = reply(received, index);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      const contentType = req.headers['content-type'] ?? 'application/json';
      res.writeHead(answer.status, { 'content-type': contentType, ...answer.headers });
      // An empty ExportServiceResponse is an empty protobuf message or `{}`.
      res.end(answer.body ?? (contentType === 'application/json' ? '{}' : ''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
