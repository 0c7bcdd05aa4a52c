/**
 * # tracewire native HTTP JSON wire format (schemaVersion 1)
 *
 * Each batch is one `POST` to the configured `url`:
 *
 * ```http
 * POST /v1/traces HTTP/1.1
 * Content-Type: application/json
 * Content-Encoding: gzip            (only with compression: 'gzip')
 * Authorization: Bearer <token>     (only with getAuthToken)
 *
 * {
 *   "schemaVersion": 1,
 *   "sdk": { "name": "@tracewire/core", "version": "0.1.0" },
 *   "serviceName": "checkout",                (the first trace's; absent in an empty batch)
 *   "keys": ["http.request.method", ...],      (the span attribute keys, each once)
 *   "resource": { "deployment": "eu-1" },   (only when the `resource` option is set)
 *   "traces": [TraceData, ...],
 *   "logs": [LogData, ...]
 * }
 * ```
 *
 * - `traces`: whole finished traces (`TraceData` in `types.ts`), each with every
 *   span (`spans`, root first) and its correlated logs. A trace is never split
 *   across requests. Times are epoch milliseconds; ids are lowercase hex (32
 *   chars for traces, 16 for spans). Span `input`/`output` are JSON text.
 * - Compact: what a collector can derive is left out (`internal/wire.ts`). A
 *   trace has no `schemaVersion`/`sdk` (the batch's), `serviceName` only when
 *   it differs from the batch's, `rootSpanId` only when the root is not the
 *   first span, no `name`, `status`, `endTime`, `durationMs` (its root
 *   span's), and `tags`, `attributes`, `logs` only when non-empty, `dropped`
 *   only when something was. Its `startTime` (epoch ms, its first span's
 *   start) is the one epoch time it carries: a span has `start` and `end` in
 *   whole microseconds after it (negative if earlier), instead of
 *   `startTime`/`endTime`. A span has
 *   no `traceId` (the trace's `id`), no `durationMs`, and leaves out its
 *   defaults: `parentId` (null), `kind` (`internal`), `status` (`unset`). Its
 *   attributes travel as `attrs`, a flat `[keyIndex, value, ...]` list into
 *   the batch's `keys` (`"attrs": [0, "GET", 1, "/users/7"]`), absent when it
 *   has none; trace, event, link and log attributes stay objects, and event,
 *   signal and log times stay epoch ms.
 * - `logs`: standalone logs, emitted outside any trace (`LogData`).
 * - Either array may be empty, never absent. Unknown fields must be ignored by
 *   the collector: fields are added without bumping `schemaVersion`; a breaking
 *   change bumps it.
 *
 * What the collector answers decides what happens to the batch:
 * - `2xx`: delivered. The response body is read and ignored.
 * - `408`, `429`, `5xx`: retried with exponential backoff and jitter, waiting
 *   at least `Retry-After` (seconds or an HTTP-date) when given, up to the
 *   pipeline's `retryMaxDelayMs`.
 * - any other status (including redirects, which are not followed): dropped,
 *   not retried. Network errors and timeouts are retried.
 * Because a batch can be retried after the collector stored it but before its
 * answer arrived, collectors should treat trace `id`s as idempotency keys.
 */

import { runUntraced } from '../context/storage';
import type { Attributes, ExportBatch, Exporter, ExportResult } from '../types';
import { HTTP_EXPORTER_OPTIONS } from '../validation/exporter-options';
import { checkOptions } from '../validation/options-check';
import { describeError, ExportError } from './export-error';
import { postBatch } from './http-transport';
import { linkSignals } from './internal/link-signals';
import { encodeBatch } from './internal/wire';

export interface HttpExporterOptions {
  /** The collector endpoint, an absolute `http:` or `https:` URL. */
  url: string;
  /**
   * Called before every request (retries included), so a rotating token is
   * always fresh. The result is sent as `Authorization: Bearer <token>`; an
   * empty result sends no `Authorization`. A throw or rejection fails that
   * attempt (retryably), never the app.
   */
  getAuthToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Extra request headers, sent with every request. */
  headers?: Record<string, string>;
  /** Bound on each request, on top of the pipeline's `exportTimeoutMs`. Default 10000. */
  timeoutMs?: number;
  /** `gzip` compresses bodies (the collector must accept `Content-Encoding: gzip`). Default `none`. */
  compression?: 'gzip' | 'none';
  /** Sent as the batch's `resource` object: attributes describing this process. */
  resource?: Attributes;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Exports batches as JSON over HTTP to a tracewire-compatible collector; the wire
 * format is documented at the top of this file.
 *
 * @example
 * const tracer = createTracer({
 *   serviceName: 'checkout',
 *   exporter: httpExporter({
 *     url: 'https://collector.example.com/v1/traces',
 *     getAuthToken: async () => (await secrets.get('TRACEWIRE_TOKEN')).value,
 *     compression: 'gzip',
 *   }),
 * });
 */
export function httpExporter(options: HttpExporterOptions): Exporter {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      "httpExporter: pass an options object such as { url: 'https://collector.example.com/v1/traces' }.",
    );
  }
  checkOptions('httpExporter()', options, HTTP_EXPORTER_OPTIONS);
  const url = validateUrl(options.url);
  const { getAuthToken, resource } = options;
  if (getAuthToken !== undefined && typeof getAuthToken !== 'function') {
    throw new TypeError(
      'httpExporter: `getAuthToken` must be a function returning the token (or a promise of it).',
    );
  }
  const headers = validateHeaders(options.headers);
  const timeoutMs = validateTimeout(options.timeoutMs);
  const compression = options.compression ?? 'none';
  if (compression !== 'gzip' && compression !== 'none') {
    throw new TypeError(
      `httpExporter: \`compression\` must be 'gzip' or 'none' (got ${JSON.stringify(compression)}).`,
    );
  }
  if (resource !== undefined && (resource === null || typeof resource !== 'object')) {
    throw new TypeError('httpExporter: `resource` must be an object of attributes.');
  }

  // The pipeline resends the same batch object on retry; encode it once. Kept
  // as text: the socket encodes it as it writes, where a Buffer would be one
  // more copy of the whole batch.
  const encoded = new WeakMap<ExportBatch, string>();

  const send = async (batch: ExportBatch, signal: AbortSignal): Promise<ExportResult> => {
    let body = encoded.get(batch);
    if (body === undefined) {
      try {
        body = encodeBatch(batch, resource);
      } catch (error) {
        return {
          ok: false,
          retryable: false,
          error: new ExportError(
            'serialize',
            `could not encode the batch as JSON: ${describeError(error)}`,
            { cause: error },
          ),
        };
      }
      encoded.set(batch, body);
    }

    const requestHeaders = { ...headers };
    if (getAuthToken !== undefined) {
      const auth = await fetchToken(getAuthToken, signal);
      if (typeof auth !== 'string') return auth;
      if (auth !== '') requestHeaders.authorization = `Bearer ${auth}`;
    }

    const linked = linkSignals(signal, timeoutMs);
    try {
      return await postBatch({
        url,
        body,
        contentType: 'application/json',
        headers: requestHeaders,
        signal: linked.signal,
        compression,
      });
    } finally {
      linked.dispose();
    }
  };

  return {
    name: 'http',
    export: (batch, signal) => runUntraced(() => send(batch, signal)),
  };
}

/** The token, or the failed result to return. Bounded by `signal`: a hung getter cannot stall export. */
async function fetchToken(
  getAuthToken: NonNullable<HttpExporterOptions['getAuthToken']>,
  signal: AbortSignal,
): Promise<string | ExportResult> {
  const failed = (why: string, cause?: unknown): ExportResult => ({
    ok: false,
    retryable: true,
    error: new ExportError('auth', `getAuthToken() failed: ${why}`, { cause }),
  });
  let onAbort: (() => void) | undefined;
  try {
    const token = await Promise.race([
      Promise.resolve().then(getAuthToken),
      new Promise<never>((_, reject) => {
        onAbort = () => reject(new Error('timed out before it returned a token'));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    if (token === null || token === undefined) return '';
    if (typeof token !== 'string') {
      return failed(`it returned ${typeof token}; it must return a string`);
    }
    if (/[\r\n\0]/.test(token)) return failed('the token contains a line break or NUL');
    return token.trim();
  } catch (error) {
    return failed(describeError(error), error);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

function validateUrl(value: unknown): string {
  const example = "such as 'https://collector.example.com/v1/traces'";
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`httpExporter: \`url\` is required: the collector endpoint, ${example}.`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(
      `httpExporter: \`url\` ${JSON.stringify(value)} is not an absolute URL; use one ${example}.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(
      `httpExporter: \`url\` must use http: or https: (got ${url.protocol}); use one ${example}.`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(
      'httpExporter: `url` must not contain credentials (they would travel as plain basic auth and show up wherever the url is logged); pass them with `headers` or `getAuthToken` instead.',
    );
  }
  return url.href;
}

function validateHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(
      "httpExporter: `headers` must be an object of strings, such as { 'x-api-key': key }.",
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new TypeError(`httpExporter: header ${JSON.stringify(name)} must be a string.`);
    }
    try {
      new Headers([[name, v]]);
    } catch {
      throw new TypeError(
        `httpExporter: header ${JSON.stringify(name)} has an invalid name or value (line breaks and non-ASCII names are not allowed).`,
      );
    }
    headers[name.toLowerCase()] = v;
  }
  return headers;
}

function validateTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2_147_483_647) {
    throw new RangeError(
      `httpExporter: \`timeoutMs\` must be a positive integer of milliseconds (got ${String(value)}); leave it out for the default ${DEFAULT_TIMEOUT_MS}.`,
    );
  }
  return value;
}
