import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { runUntraced } from '../context/storage';
import type { ExportResult } from '../types';
import { describeError, ExportError } from './export-error';
import { parseRetryAfter } from './internal/retry-after';

export interface PostBatchOptions {
  url: string;
  body: string | Uint8Array;
  contentType: string;
  headers?: Record<string, string>;
  signal: AbortSignal;
  compression?: 'gzip' | 'none';
}

const gzipAsync = promisify(gzip);

/** Retries resend the same body object; compress it once. */
const gzipped = new WeakMap<Uint8Array, Uint8Array>();

/** Response bodies are read (so the socket can be reused) up to this much, then cancelled. */
const MAX_DRAIN_BYTES = 64 * 1024;
/** How much of an error response goes into the error message. */
const MAX_DETAIL_CHARS = 300;

/**
 * POSTs one encoded batch with the global `fetch`, outside any trace, and
 * classifies the outcome: 2xx delivered; 408, 429, 5xx, network errors and
 * timeouts retryable (with `Retry-After` as `retryAfterMs`); other statuses
 * dropped. Never throws, and always frees the response body.
 *
 * @example
 * const result = await postBatch({
 *   url: 'https://collector.example.com/v1/traces',
 *   body: JSON.stringify(payload),
 *   contentType: 'application/json',
 *   signal: AbortSignal.timeout(10_000),
 *   compression: 'gzip',
 * });
 * if (!result.ok && result.retryable) scheduleRetry(result.retryAfterMs);
 */
export function postBatch(options: PostBatchOptions): Promise<ExportResult> {
  return runUntraced(() => send(options)).catch((error: unknown) => ({
    ok: false as const,
    retryable: false,
    error: new ExportError('rejected', `could not send the batch: ${describeError(error)}`, {
      cause: error,
    }),
  }));
}

async function send(options: PostBatchOptions): Promise<ExportResult> {
  const { signal } = options;
  let target: string;
  try {
    target = describeUrl(new URL(options.url));
  } catch {
    return {
      ok: false,
      retryable: false,
      error: new ExportError('rejected', `invalid collector url ${JSON.stringify(options.url)}`),
    };
  }
  if (signal.aborted) return aborted(signal, target);

  let headers: Headers;
  try {
    headers = new Headers(options.headers);
  } catch (error) {
    return {
      ok: false,
      retryable: false,
      error: new ExportError('rejected', `invalid request header: ${describeError(error)}`, {
        cause: error,
      }),
    };
  }
  headers.set('content-type', options.contentType);

  let body: string | Uint8Array = options.body;
  if (options.compression === 'gzip') {
    body = await compress(body);
    headers.set('content-encoding', 'gzip');
  }

  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers,
      // Any Uint8Array works at runtime; the DOM typings only want ArrayBuffer-backed ones.
      body: body as RequestInit['body'],
      signal,
      // A POST silently turned into a GET by a 301/302 would fail obscurely;
      // report the redirect instead.
      redirect: 'manual',
    });
  } catch (error) {
    if (signal.aborted) return aborted(signal, target);
    return {
      ok: false,
      retryable: true,
      error: new ExportError('network', `could not reach ${target}: ${networkReason(error)}`, {
        cause: error,
      }),
    };
  }

  const { status } = response;
  if (status >= 200 && status < 300) {
    await drain(response, 0);
    return { ok: true };
  }
  const detail = await drain(response, MAX_DETAIL_CHARS);
  const retryable = status === 408 || status === 429 || status >= 500;
  const message = `${target} answered HTTP ${status}${detail ? ` (${detail})` : ''}${hintFor(status, response)}`;
  const error = new ExportError('http-status', message, { status });
  if (!retryable) return { ok: false, retryable: false, error };
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  return retryAfterMs === undefined
    ? { ok: false, retryable: true, error }
    : { ok: false, retryable: true, retryAfterMs, error };
}

async function compress(body: string | Uint8Array): Promise<Uint8Array> {
  if (typeof body === 'string') return gzipAsync(body);
  const cached = gzipped.get(body);
  if (cached !== undefined) return cached;
  const zipped = await gzipAsync(body);
  gzipped.set(body, zipped);
  return zipped;
}

function aborted(signal: AbortSignal, target: string): ExportResult {
  const reason: unknown = signal.reason;
  const isTimeout =
    typeof reason === 'object' &&
    reason !== null &&
    (reason as { name?: unknown }).name === 'TimeoutError';
  return {
    ok: false,
    retryable: true,
    error: isTimeout
      ? new ExportError('timeout', `request to ${target} timed out (${describeError(reason)})`, {
          cause: reason,
        })
      : new ExportError('network', `request to ${target} was aborted`, { cause: reason }),
  };
}

/** `fetch failed` says nothing; the cause carries ECONNREFUSED and friends. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause !== undefined && cause !== null) {
    const code = (cause as { code?: unknown }).code;
    const text = describeError(cause);
    return typeof code === 'string' && !text.includes(code) ? `${code} ${text}` : text;
  }
  return describeError(error);
}

function hintFor(status: number, response: Response): string {
  if (status === 401 || status === 403) return '; check the auth token or headers';
  if (status === 413) return '; the batch is too large for the collector, lower maxBatchTraces';
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location');
    return `; redirects are not followed, point the exporter url at the final address${location ? ` (${location})` : ''}`;
  }
  return '';
}

/** Origin and path only: a query string or credentials may hold secrets. */
function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * Reads the response body so undici can reuse the socket, keeping the first
 * `keepChars` characters for the error message; gives up (cancels) past
 * MAX_DRAIN_BYTES. Never throws.
 */
async function drain(response: Response, keepChars: number): Promise<string> {
  const body = response.body;
  if (body === null) return '';
  const reader = body.getReader();
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (keptBytes < keepChars * 4) {
        kept.push(value);
        keptBytes += value.byteLength;
      }
      if (total > MAX_DRAIN_BYTES) {
        await reader.cancel().catch(() => undefined);
        break;
      }
    }
  } catch {
    await reader.cancel().catch(() => undefined);
  }
  if (keepChars === 0 || keptBytes === 0) return '';
  const text = Buffer.concat(kept).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > keepChars ? `${text.slice(0, keepChars)}...` : text;
}
