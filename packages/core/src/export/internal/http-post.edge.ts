// The edge build's transport: `fetch` and `CompressionStream`, which every fetch
// runtime has, where the Node build uses node:http(s) and node:zlib.
import type { RawResponse } from './http-post';
import { MAX_DETAIL_CHARS, MAX_DRAIN_BYTES } from './http-post-limits';

export type { RawResponse } from './http-post';
export { MAX_DETAIL_CHARS, MAX_DRAIN_BYTES } from './http-post-limits';

const encoder = new TextEncoder();

/** Retries resend the same body object; compress it once. */
const gzipped = new WeakMap<Uint8Array, Uint8Array>();

export function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? encoder.encode(body).byteLength : body.byteLength;
}

export async function compress(body: string | Uint8Array): Promise<Uint8Array> {
  if (typeof body === 'string') return gzip(encoder.encode(body));
  const cached = gzipped.get(body);
  if (cached !== undefined) return cached;
  const zipped = await gzip(body);
  gzipped.set(body, zipped);
  return zipped;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * One POST with the runtime's `fetch`, redirects not followed. The response
 * body is read up to MAX_DRAIN_BYTES (what an error message needs, and what
 * lets the connection be reused), then cancelled.
 */
export async function post(
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array,
  signal: AbortSignal,
): Promise<RawResponse> {
  // fetch sets the length itself and some runtimes refuse it as a header.
  const { 'content-length': _length, ...sent } = headers;
  const response = await fetch(url, {
    method: 'POST',
    headers: sent,
    body,
    signal,
    redirect: 'manual',
  });
  return {
    status: response.status,
    header: (name) => response.headers.get(name),
    detail: await readStart(response),
  };
}

async function readStart(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const decoder = new TextDecoder();
  let text = '';
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (text.length < MAX_DETAIL_CHARS * 4) text += decoder.decode(value, { stream: true });
      if (total > MAX_DRAIN_BYTES) {
        await reader.cancel();
        break;
      }
    }
  } catch {
    // A body that fails mid-way still has its status.
  }
  return text;
}
