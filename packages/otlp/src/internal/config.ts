import type { ResourceAttributes } from '../otlp-types';

export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type OtlpCompression = 'gzip' | 'none';

/** Options of `otlpExporter()`; every one falls back to the OTEL_EXPORTER_OTLP_* variables. */
export interface OtlpExporterOptions {
  /**
   * Base endpoint, e.g. `http://127.0.0.1:4318`; `/v1/traces` and `/v1/logs` are
   * appended to its path. Default: OTEL_EXPORTER_OTLP_ENDPOINT, else `http://localhost:4318`.
   */
  url?: string;
  /** Full URL for traces, used as-is. Default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  tracesUrl?: string;
  /** Full URL for logs, used as-is. Default: OTEL_EXPORTER_OTLP_LOGS_ENDPOINT. */
  logsUrl?: string;
  /** Sent with every request, over OTEL_EXPORTER_OTLP_HEADERS (and the per-signal variables). */
  headers?: Record<string, string>;
  /** Default: OTEL_EXPORTER_OTLP_PROTOCOL, else `http/protobuf`. */
  protocol?: OtlpProtocol;
  /** Default: OTEL_EXPORTER_OTLP_COMPRESSION, else `none`. */
  compression?: OtlpCompression;
  /** Per request. Default: OTEL_EXPORTER_OTLP_TIMEOUT, else 10000. */
  timeoutMs?: number;
  /** Resource attributes for everything sent, over OTEL_RESOURCE_ATTRIBUTES. */
  resource?: ResourceAttributes;
}

export interface SignalConfig {
  url: string;
  headers: Record<string, string>;
  protocol: OtlpProtocol;
  compression: OtlpCompression;
  timeoutMs: number;
}

export interface ExporterConfig {
  traces: SignalConfig;
  logs: SignalConfig;
  resource: ResourceAttributes;
}

type Env = Record<string, string | undefined>;
type Signal = 'traces' | 'logs';

const KNOWN_OPTIONS = new Set([
  'url',
  'tracesUrl',
  'logsUrl',
  'headers',
  'protocol',
  'compression',
  'timeoutMs',
  'resource',
]);
const DEFAULT_ENDPOINT = 'http://localhost:4318';
const DEFAULT_TIMEOUT_MS = 10_000;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function fail(message: string): never {
  throw new Error(`@tracewire/otlp: ${message}`);
}

/** The spec says an empty variable is the same as an unset one. */
function read(env: Env, name: string): string | undefined {
  let value: string | undefined;
  try {
    value = env[name]?.trim();
  } catch {
    // Deno without --allow-env throws on reading a variable: treat it as unset.
    return undefined;
  }
  return value ? value : undefined;
}

function parseUrl(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(
      `${source} is not a valid URL (${JSON.stringify(value)}); use e.g. http://127.0.0.1:4318.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(
      `${source} must be an http:// or https:// URL, got ${JSON.stringify(value)}. ` +
        'OTLP/gRPC is not supported: point it at the collector’s OTLP/HTTP port (4318).',
    );
  }
  return url;
}

/** Per the OTel spec, a base endpoint gets `v1/<signal>` appended to whatever path it has. */
function signalUrl(base: string, signal: Signal, source: string): string {
  const url = parseUrl(base, source);
  if (/\/v1\/(traces|logs|metrics)\/?$/.test(url.pathname)) {
    fail(
      `${source} is a base endpoint and gets /v1/${signal} appended, but ${JSON.stringify(base)} ` +
        `already ends in a signal path. Pass the collector root (e.g. ${url.origin}), or give ` +
        'the full URL as tracesUrl/logsUrl (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/_LOGS_ENDPOINT).',
    );
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/${signal}`;
  return url.href;
}

/**
 * `key1=value1,key2=value2` with percent-encoded values, the format of
 * OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES.
 */
export function parseKeyValueList(value: string, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of value.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq).trim() : '';
    if (!key) {
      fail(
        `${source} has an entry without a key=value pair (${JSON.stringify(item)}); write key1=value1,key2=value2.`,
      );
    }
    try {
      out[decodeURIComponent(key)] = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      fail(
        `${source} entry ${JSON.stringify(item)} is not valid percent-encoding; encode "%" as %25.`,
      );
    }
  }
  return out;
}

function checkHeaders(headers: Record<string, string>, source: string): void {
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (!TOKEN.test(name)) fail(`${source} has an invalid header name ${JSON.stringify(name)}.`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      fail(`${source} header ${JSON.stringify(name)} must be a string without line breaks.`);
    }
  }
}

function parseProtocol(value: string, source: string): OtlpProtocol {
  if (value === 'http/protobuf' || value === 'http/json') return value;
  if (value === 'grpc') {
    fail(`${source}=grpc is not supported; use http/protobuf (the default) against port 4318.`);
  }
  return fail(`${source} must be "http/protobuf" or "http/json", got ${JSON.stringify(value)}.`);
}

function parseCompression(value: string, source: string): OtlpCompression {
  if (value === 'gzip' || value === 'none') return value;
  return fail(`${source} must be "gzip" or "none", got ${JSON.stringify(value)}.`);
}

function parseTimeout(value: number, source: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    fail(`${source} must be a positive number of milliseconds, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function resolveSignal(options: OtlpExporterOptions, env: Env, signal: Signal): SignalConfig {
  const SIGNAL = signal.toUpperCase();
  const own = (name: string) => `OTEL_EXPORTER_OTLP_${SIGNAL}_${name}`;
  const shared = (name: string) => `OTEL_EXPORTER_OTLP_${name}`;
  const pick = (name: string): [string, string] | undefined => {
    const specific = read(env, own(name));
    if (specific !== undefined) return [specific, own(name)];
    const general = read(env, shared(name));
    return general !== undefined ? [general, shared(name)] : undefined;
  };

  const explicitUrl = signal === 'traces' ? options.tracesUrl : options.logsUrl;
  const urlOption = signal === 'traces' ? 'tracesUrl' : 'logsUrl';
  let url: string;
  if (explicitUrl !== undefined) {
    url = parseUrl(explicitUrl, `options.${urlOption}`).href;
  } else if (options.url !== undefined) {
    url = signalUrl(options.url, signal, 'options.url');
  } else if (read(env, own('ENDPOINT')) !== undefined) {
    url = parseUrl(read(env, own('ENDPOINT'))!, own('ENDPOINT')).href;
  } else if (read(env, shared('ENDPOINT')) !== undefined) {
    url = signalUrl(read(env, shared('ENDPOINT'))!, signal, shared('ENDPOINT'));
  } else {
    url = signalUrl(DEFAULT_ENDPOINT, signal, 'the default endpoint');
  }

  const headers: Record<string, string> = {};
  for (const name of [shared('HEADERS'), own('HEADERS')]) {
    const raw = read(env, name);
    if (raw !== undefined) Object.assign(headers, parseKeyValueList(raw, name));
  }
  if (options.headers !== undefined) {
    if (options.headers === null || typeof options.headers !== 'object') {
      fail('options.headers must be an object of header names to string values.');
    }
    Object.assign(headers, options.headers);
  }
  checkHeaders(headers, 'headers');

  const protocolEnv = pick('PROTOCOL');
  const protocol =
    options.protocol !== undefined
      ? parseProtocol(options.protocol, 'options.protocol')
      : protocolEnv
        ? parseProtocol(protocolEnv[0], protocolEnv[1])
        : 'http/protobuf';

  const compressionEnv = pick('COMPRESSION');
  const compression =
    options.compression !== undefined
      ? parseCompression(options.compression, 'options.compression')
      : compressionEnv
        ? parseCompression(compressionEnv[0], compressionEnv[1])
        : 'none';

  const timeoutEnv = pick('TIMEOUT');
  const timeoutMs =
    options.timeoutMs !== undefined
      ? parseTimeout(options.timeoutMs, 'options.timeoutMs')
      : timeoutEnv
        ? parseTimeout(Number(timeoutEnv[0]), timeoutEnv[1])
        : DEFAULT_TIMEOUT_MS;

  return { url, headers, protocol, compression, timeoutMs };
}

/** Options over environment over defaults, validated once so a mistake fails at startup. */
export function resolveConfig(options: OtlpExporterOptions, env: Env): ExporterConfig {
  if (options === null || typeof options !== 'object') {
    fail('otlpExporter(options) takes an options object, e.g. { url: "http://127.0.0.1:4318" }.');
  }
  for (const key of Object.keys(options)) {
    if (KNOWN_OPTIONS.has(key)) continue;
    const hint = key === 'endpoint' ? ' Did you mean url?' : '';
    fail(`unknown option ${JSON.stringify(key)}.${hint} Known: ${[...KNOWN_OPTIONS].join(', ')}.`);
  }
  const resource: ResourceAttributes = {};
  const resourceEnv = read(env, 'OTEL_RESOURCE_ATTRIBUTES');
  if (resourceEnv !== undefined) {
    Object.assign(resource, parseKeyValueList(resourceEnv, 'OTEL_RESOURCE_ATTRIBUTES'));
  }
  if (options.resource !== undefined) {
    for (const [key, value] of Object.entries(options.resource)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        fail(`options.resource[${JSON.stringify(key)}] must be a string, number or boolean.`);
      }
      resource[key] = value;
    }
  }
  return {
    traces: resolveSignal(options, env, 'traces'),
    logs: resolveSignal(options, env, 'logs'),
    resource,
  };
}
