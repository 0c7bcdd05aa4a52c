import {
  type ExportBatch,
  type Exporter,
  type ExportResult,
  type LogData,
  VERSION,
} from '@tracewire/core';
import { postBatch } from '@tracewire/core/http';
import { type OtlpExporterOptions, resolveConfig, type SignalConfig } from './internal/config';
import { encodeLogs, encodeTraces } from './internal/proto-encode';
import { buildLogsRequest } from './to-otlp-logs';
import { toOtlpTraces } from './to-otlp-traces';

export type { OtlpCompression, OtlpExporterOptions, OtlpProtocol } from './internal/config';

const OK: ExportResult = { ok: true };

/** What a batch has already settled, so a retry sends only what is still missing. */
interface BatchProgress {
  traces?: ExportResult;
  logs?: ExportResult;
}

/**
 * An exporter that sends traces to `/v1/traces` and logs to `/v1/logs` of an
 * OpenTelemetry Collector, Jaeger, Grafana Tempo or any OTLP/HTTP vendor endpoint.
 * Unset options come from the standard OTEL_EXPORTER_OTLP_* variables; a bad
 * setting throws here, at startup, with the fix in the message.
 *
 * One `export()` is one attempt; core's pipeline retries. With both traces and
 * logs in a batch: traces go first, and a retryable trace failure returns at once
 * (the collector is likely down; logs go with the retry). Once traces are accepted
 * they are never re-sent for that batch, even if logs then fail and the batch is
 * retried, because backends do not deduplicate spans. A permanent failure of one
 * signal does not stop the other from being sent; the batch then reports that
 * failure as non-retryable after everything retryable has settled.
 *
 * @example
 * const tracer = createTracer({
 *   serviceName: 'checkout',
 *   exporter: otlpExporter({ url: 'http://127.0.0.1:4318', headers: { 'x-api-key': key } }),
 * });
 */
export function otlpExporter(options: OtlpExporterOptions = {}): Exporter {
  // Workers without nodejs_compat have no `process`: configure through options there.
  const config = resolveConfig(options, typeof process === 'object' ? process.env : {});
  const progress = new WeakMap<ExportBatch, BatchProgress>();

  function encodeFailure(signal: string, error: unknown): ExportResult {
    // Encoding is deterministic: retrying the same data would fail the same way.
    const cause = error instanceof Error ? error : new Error(String(error));
    return {
      ok: false,
      retryable: false,
      error: tagged(`OTLP ${signal} could not be encoded: ${cause.message}`, cause, 'serialize'),
    };
  }

  async function sendTraces(batch: ExportBatch, signal: AbortSignal): Promise<ExportResult> {
    if (batch.traces.length === 0) return OK;
    let body: string | Uint8Array;
    try {
      const request = toOtlpTraces(batch.traces, config.resource);
      body = encodeBody(config.traces, request, encodeTraces);
    } catch (error) {
      return encodeFailure('traces', error);
    }
    return send(config.traces, body, signal, 'traces');
  }

  async function sendLogs(batch: ExportBatch, signal: AbortSignal): Promise<ExportResult> {
    const logs: LogData[] = [];
    for (const trace of batch.traces) {
      for (const log of trace.logs ?? []) {
        logs.push(log.traceId ? log : { ...log, traceId: trace.id });
      }
    }
    for (const log of batch.logs) logs.push(log);
    if (logs.length === 0) return OK;
    let body: string | Uint8Array;
    try {
      // LogData carries no SDK version; the logs come from the same core as the traces.
      const sdkVersion = batch.traces[0]?.sdk?.version ?? VERSION;
      const request = buildLogsRequest(logs, config.resource, sdkVersion);
      body = encodeBody(config.logs, request, encodeLogs);
    } catch (error) {
      return encodeFailure('logs', error);
    }
    return send(config.logs, body, signal, 'logs');
  }

  return {
    name: 'otlp',
    async export(batch, signal) {
      const state = progress.get(batch) ?? {};
      if (!state.traces) {
        const result = await sendTraces(batch, signal);
        if (!result.ok && result.retryable) {
          progress.set(batch, state);
          return result;
        }
        state.traces = result;
      }
      if (!state.logs) {
        const result = await sendLogs(batch, signal);
        if (!result.ok && result.retryable) {
          progress.set(batch, state);
          return result;
        }
        state.logs = result;
      }
      progress.delete(batch);
      if (!state.traces.ok) return state.traces;
      return state.logs;
    },
  };
}

async function send(
  config: SignalConfig,
  body: string | Uint8Array,
  parent: AbortSignal,
  what: 'traces' | 'logs',
): Promise<ExportResult> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`timed out after ${config.timeoutMs} ms`, 'TimeoutError'));
  }, config.timeoutMs);
  timer.unref?.();
  let result: ExportResult;
  try {
    result = await postBatch({
      url: config.url,
      body,
      contentType: config.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
      headers: config.headers,
      signal: controller.signal,
      compression: config.compression,
    });
  } catch (error) {
    // postBatch promises not to throw; if it ever does, the pipeline should retry.
    result = {
      ok: false,
      retryable: true,
      error: error instanceof Error ? error : new Error(String(error)),
    };
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', onAbort);
  }
  if (result.ok) return result;
  return { ...result, error: tagged(`OTLP ${what}: ${result.error.message}`, result.error) };
}

/**
 * A new error with our context in the message that keeps the `kind` and `status`
 * tags core's pipeline reads (duck-typed) to report the precise problem.
 */
function tagged(message: string, cause: Error, kind?: string): Error {
  const error = new Error(message, { cause }) as Error & { kind?: unknown; status?: unknown };
  const source = cause as Error & { kind?: unknown; status?: unknown };
  if (kind !== undefined || source.kind !== undefined) error.kind = kind ?? source.kind;
  if (source.status !== undefined) error.status = source.status;
  return error;
}

/**
 * Protobuf, or OTLP/JSON when configured. The protobuf writer generates no code
 * at run time, so it works where `new Function` is refused (Cloudflare Workers).
 */
function encodeBody<T>(
  signal: SignalConfig,
  request: T,
  encode: (request: T) => Uint8Array,
): string | Uint8Array {
  return signal.protocol === 'http/json' ? JSON.stringify(request) : encode(request);
}
