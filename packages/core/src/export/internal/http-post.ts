import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { MAX_DETAIL_CHARS, MAX_DRAIN_BYTES } from './http-post-limits';

/** What the transport needs of a collector's answer. */
export interface RawResponse {
  status: number;
  header(name: string): string | null;
  /** The start of the body as text, for error messages. */
  detail: string;
}

export { MAX_DETAIL_CHARS, MAX_DRAIN_BYTES } from './http-post-limits';

const gzipAsync = promisify(gzip);

/** Retries resend the same body object; compress it once. */
const gzipped = new WeakMap<Uint8Array, Uint8Array>();

export function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

export async function compress(body: string | Uint8Array): Promise<Uint8Array> {
  if (typeof body === 'string') return gzipAsync(body);
  const cached = gzipped.get(body);
  if (cached !== undefined) return cached;
  const zipped = await gzipAsync(body);
  gzipped.set(body, zipped);
  return zipped;
}

/**
 * One POST with `node:http(s)` and the keep-alive global agents, cheaper in CPU
 * than the global `fetch` on Node (see bench/). Redirects
 * are never followed. The response body is read (so the socket is reused) up to
 * MAX_DRAIN_BYTES; past that the response is dropped with its socket. The edge
 * build (`http-post.edge.ts`) sends with `fetch`.
 */
export function post(
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array,
  signal: AbortSignal,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, { method: 'POST', headers, signal }, (res) => {
      const kept: Buffer[] = [];
      let keptBytes = 0;
      let total = 0;
      const done = () =>
        resolve({
          status: res.statusCode ?? 0,
          header: (name) => {
            const value = res.headers[name];
            if (value === undefined) return null;
            return Array.isArray(value) ? value.join(', ') : value;
          },
          detail: kept.length === 0 ? '' : Buffer.concat(kept).toString('utf8'),
        });
      res.on('data', (chunk: Buffer) => {
        total += chunk.byteLength;
        if (keptBytes < MAX_DETAIL_CHARS * 4) {
          kept.push(chunk);
          keptBytes += chunk.byteLength;
        }
        if (total > MAX_DRAIN_BYTES) {
          res.destroy();
          done();
        }
      });
      res.on('end', done);
      res.on('error', () => done());
    });
    req.on('error', reject);
    req.end(body);
  });
}
