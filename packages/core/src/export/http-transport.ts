import { runUntraced } from '../context/storage';
import type { ExportResult } from '../types';
import { describeError, ExportError } from './export-error';
import {
  byteLength,
  compress,
  MAX_DETAIL_CHARS,
  post,
  type RawResponse,
} from './internal/http-post';
import { parseRetryAfter } from './internal/retry-after';

export interface PostBatchOptions {
  url: string;
  body: string | Uint8Array;
  contentType: string;
  headers?: Record<string, string>;
  signal: AbortSignal;
  compression?: 'gzip' | 'none';
}

/** A header name is an RFC 9110 token; a value has no control characters but tab. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * POSTs one encoded batch (with `node:http(s)` on Node, `fetch` on edge runtimes), outside any trace, and
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

  const headers: Record<string, string> = {};
  try {
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (!HEADER_NAME.test(name))
        throw new TypeError(`header name ${JSON.stringify(name)} is not a valid HTTP token`);
      if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
        throw new TypeError(`header ${JSON.stringify(name)} has an invalid value`);
      }
      headers[name.toLowerCase()] = value;
    }
  } catch (error) {
    return {
      ok: false,
      retryable: false,
      error: new ExportError('rejected', `invalid request header: ${describeError(error)}`, {
        cause: error,
      }),
    };
  }
  headers['content-type'] = options.contentType;

  let body: string | Uint8Array = options.body;
  if (options.compression === 'gzip') {
    body = await compress(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(byteLength(body));

  let response: RawResponse;
  try {
    response = await post(new URL(options.url), headers, body, signal);
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
  if (status >= 200 && status < 300) return { ok: true };
  const detail = detailText(response.detail);
  const retryable = status === 408 || status === 429 || status >= 500;
  const message = `${target} answered HTTP ${status}${detail ? ` (${detail})` : ''}${hintFor(status, response)}`;
  const error = new ExportError('http-status', message, { status });
  if (!retryable) return { ok: false, retryable: false, error };
  const retryAfterMs = parseRetryAfter(response.header('retry-after'));
  return retryAfterMs === undefined
    ? { ok: false, retryable: true, error }
    : { ok: false, retryable: true, retryAfterMs, error };
}

function detailText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DETAIL_CHARS ? `${flat.slice(0, MAX_DETAIL_CHARS)}...` : flat;
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

/** Network errors carry their code (ECONNREFUSED and friends) on the error or its cause. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  if (cause !== undefined && cause !== null) {
    const code = (cause as { code?: unknown }).code;
    const text = describeError(cause);
    return typeof code === 'string' && !text.includes(code) ? `${code} ${text}` : text;
  }
  return describeError(error);
}

function hintFor(status: number, response: RawResponse): string {
  if (status === 401 || status === 403) return '; check the auth token or headers';
  if (status === 413)
    return '; the batch is too large for the collector, lower maxBatchBytes and maxBatchTraces';
  if (status >= 300 && status < 400) {
    const location = response.header('location');
    return `; redirects are not followed, point the exporter url at the final address${location ? ` (${location})` : ''}`;
  }
  return '';
}

/** Origin and path only: a query string or credentials may hold secrets. */
function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
