import type { ExportBatch } from '@tracewire/core';
import { otlpExporter } from '@tracewire/otlp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../src/internal/config';
import { type Collector, startCollector } from './helpers/collector';
import { isolateOtelEnv } from './helpers/env';
import { richTrace, standaloneLogs } from './helpers/fixtures';
import { decodeTraces } from './helpers/official-proto';

isolateOtelEnv();

let collector: Collector;
beforeEach(async () => {
  collector = await startCollector();
});
afterEach(async () => {
  await collector.close();
});

const batch = (): ExportBatch => ({ traces: [richTrace()], logs: standaloneLogs() });
const signal = () => new AbortController().signal;

describe('endpoints', () => {
  it('appends /v1/traces and /v1/logs to a base url, with or without a trailing slash', async () => {
    await otlpExporter({ url: collector.url }).export(batch(), signal());
    await otlpExporter({ url: `${collector.url}/` }).export(batch(), signal());
    await otlpExporter({ url: `${collector.url}/otlp/` }).export(batch(), signal());
    await otlpExporter({ url: `${collector.url}/otlp` }).export(batch(), signal());
    expect(collector.requests.map((r) => r.path)).toEqual([
      '/v1/traces',
      '/v1/logs',
      '/v1/traces',
      '/v1/logs',
      '/otlp/v1/traces',
      '/otlp/v1/logs',
      '/otlp/v1/traces',
      '/otlp/v1/logs',
    ]);
  });

  it('uses tracesUrl and logsUrl as given', async () => {
    const exporter = otlpExporter({
      url: `${collector.url}/ignored`,
      tracesUrl: `${collector.url}/custom/spans`,
      logsUrl: `${collector.url}/custom/records?tenant=a`,
    });
    await exporter.export(batch(), signal());
    expect(collector.requests.map((r) => r.path)).toEqual([
      '/custom/spans',
      '/custom/records?tenant=a',
    ]);
  });

  it('reads OTEL_EXPORTER_OTLP_ENDPOINT as a base and signal endpoints as full urls', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', `${collector.url}/base/`);
    await otlpExporter().export(batch(), signal());
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', `${collector.url}/t`);
    await otlpExporter().export(batch(), signal());
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', `${collector.url}/l`);
    await otlpExporter().export(batch(), signal());
    expect(collector.requests.map((r) => r.path)).toEqual([
      '/base/v1/traces',
      '/base/v1/logs',
      '/t',
      '/base/v1/logs',
      '/t',
      '/l',
    ]);
  });

  it('lets options win over the environment', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'http://127.0.0.1:1/never');
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json');
    await otlpExporter({ url: collector.url, protocol: 'http/protobuf' }).export(batch(), signal());
    expect(collector.requests[0]!.path).toBe('/v1/traces');
    expect(collector.requests[0]!.headers['content-type']).toBe('application/x-protobuf');
  });

  it('reads the protocol from the environment, signal-specific first', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json');
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'http/protobuf');
    await otlpExporter({ url: collector.url }).export(batch(), signal());
    expect(collector.requests.map((r) => r.headers['content-type'])).toEqual([
      'application/json',
      'application/x-protobuf',
    ]);
  });
});

describe('headers', () => {
  it('sends option headers and percent-decoded OTEL_EXPORTER_OTLP_HEADERS', async () => {
    vi.stubEnv(
      'OTEL_EXPORTER_OTLP_HEADERS',
      ' authorization = Bearer%20abc%3D%3D , x-tenant=t%2C1,x-override=env,',
    );
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_HEADERS', 'x-logs-only=yes');
    const exporter = otlpExporter({
      url: collector.url,
      headers: { 'x-api-key': 'k-123', 'x-override': 'option' },
    });
    await exporter.export(batch(), signal());
    const [traces, logs] = collector.requests;
    for (const request of [traces!, logs!]) {
      expect(request.headers.authorization).toBe('Bearer abc==');
      expect(request.headers['x-tenant']).toBe('t,1');
      expect(request.headers['x-api-key']).toBe('k-123');
      expect(request.headers['x-override']).toBe('option');
    }
    expect(traces!.headers['x-logs-only']).toBeUndefined();
    expect(logs!.headers['x-logs-only']).toBe('yes');
  });
});

describe('compression', () => {
  it('gzips the body when asked, and the collector can decode it', async () => {
    await otlpExporter({ url: collector.url, compression: 'gzip' }).export(batch(), signal());
    const request = collector.requests[0]!;
    expect(request.headers['content-encoding']).toBe('gzip');
    expect(request.rawBody.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const decoded = decodeTraces(request.body);
    expect(decoded.resourceSpans[0].scopeSpans[0].spans).toHaveLength(7);
  });

  it('takes gzip from OTEL_EXPORTER_OTLP_COMPRESSION and sends none by default', async () => {
    await otlpExporter({ url: collector.url }).export(batch(), signal());
    vi.stubEnv('OTEL_EXPORTER_OTLP_COMPRESSION', 'gzip');
    await otlpExporter({ url: collector.url, protocol: 'http/json' }).export(batch(), signal());
    expect(collector.requests.map((r) => r.headers['content-encoding'])).toEqual([
      undefined,
      undefined,
      'gzip',
      'gzip',
    ]);
    expect(JSON.parse(collector.requests[2]!.body.toString('utf8')).resourceSpans).toHaveLength(1);
  });
});

describe('resource', () => {
  it('merges OTEL_RESOURCE_ATTRIBUTES under options.resource', async () => {
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'service.version=1.0,host.name=web%201');
    await otlpExporter({ url: collector.url, resource: { 'service.version': '2.0' } }).export(
      batch(),
      signal(),
    );
    const attributes = decodeTraces(collector.requests[0]!.body).resourceSpans[0].resource
      .attributes;
    expect(attributes).toContainEqual({ key: 'service.version', value: { stringValue: '2.0' } });
    expect(attributes).toContainEqual({ key: 'host.name', value: { stringValue: 'web 1' } });
  });
});

describe('configuration mistakes fail at construction', () => {
  it.each([
    [{ url: 'localhost:4318' }, /options.url must be an http:\/\/ or https:\/\/ URL/],
    [{ url: 'not a url' }, /options.url is not a valid URL/],
    [{ url: 'http://127.0.0.1:4318/v1/traces' }, /already ends in a signal path.*tracesUrl/],
    [{ tracesUrl: 'ftp://collector/v1/traces' }, /options.tracesUrl must be an http/],
    [{ protocol: 'grpc' as never }, /grpc is not supported; use http\/protobuf/],
    [{ protocol: 'http/xml' as never }, /"http\/protobuf" or "http\/json"/],
    [{ compression: 'br' as never }, /"gzip" or "none"/],
    [{ timeoutMs: 0 }, /positive number of milliseconds/],
    [{ headers: { 'bad header': 'x' } }, /invalid header name/],
    [{ headers: { 'x-a': 'line\r\nbreak' } }, /without line breaks/],
    [
      { endpoint: 'http://127.0.0.1:4318' } as never,
      /unknown option "endpoint". Did you mean url\?/,
    ],
    [{ resource: { nested: {} } } as never, /must be a string, number or boolean/],
  ])('%j', (options, message) => {
    expect(() => otlpExporter(options)).toThrow(message);
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://collector:4318/v1/traces', /already ends in a signal/],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'collector:4318', /must be an http/],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'novalue', /without a key=value pair/],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'a=%zz', /not valid percent-encoding/],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', /OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/],
    ['OTEL_EXPORTER_OTLP_LOGS_COMPRESSION', 'zstd', /OTEL_EXPORTER_OTLP_LOGS_COMPRESSION must be/],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', 'soon', /OTEL_EXPORTER_OTLP_TIMEOUT must be a positive/],
  ])('%s=%s', (name, value, message) => {
    vi.stubEnv(name, value);
    expect(() => otlpExporter()).toThrow(message);
  });

  it('defaults to the spec defaults when nothing is configured', () => {
    const config = resolveConfig({}, {});
    expect(config.traces).toEqual({
      url: 'http://localhost:4318/v1/traces',
      headers: {},
      protocol: 'http/protobuf',
      compression: 'none',
      timeoutMs: 10_000,
    });
    expect(config.logs.url).toBe('http://localhost:4318/v1/logs');
    expect(otlpExporter().name).toBe('otlp');
  });
});

describe('an environment that refuses to be read', () => {
  it('treats every variable as unset (Deno without --allow-env)', () => {
    const refusing = new Proxy({} as Record<string, string | undefined>, {
      get(_target, name) {
        throw new Error(`NotCapable: Requires env access to "${String(name)}"`);
      },
    });
    const config = resolveConfig({ url: 'http://127.0.0.1:4318' }, refusing);
    expect(config.traces.url).toBe('http://127.0.0.1:4318/v1/traces');
    expect(config.traces.headers).toEqual({});
  });
});
