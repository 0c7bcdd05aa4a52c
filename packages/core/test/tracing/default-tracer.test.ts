import {
  createTracer,
  getDefaultTracer,
  memoryExporter,
  setDefaultTracer,
  tracerOptionsFromEnv,
} from '@tracewire/core';
import { afterEach, describe, expect, it } from 'vitest';

const names = (exporter: unknown) =>
  (Array.isArray(exporter) ? exporter : exporter ? [exporter] : []).map(
    (e: { name: string }) => e.name,
  );

describe('tracerOptionsFromEnv', () => {
  it('defaults to the console outside production and to nothing in production', () => {
    expect(names(tracerOptionsFromEnv({}).exporter)).toEqual(['console']);
    expect(tracerOptionsFromEnv({ NODE_ENV: 'production' }).exporter).toBeUndefined();
    expect(tracerOptionsFromEnv({}).serviceName).toBe('unknown_service:node');
  });

  it('reads service name, environment and resource attributes', () => {
    const options = tracerOptionsFromEnv({
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource,deployment.environment.name=staging',
      NODE_ENV: 'production',
    });
    expect(options).toMatchObject({ serviceName: 'from-resource', environment: 'staging' });
    expect(
      tracerOptionsFromEnv({ OTEL_SERVICE_NAME: 'orders', TRACEWIRE_ENVIRONMENT: 'eu' }),
    ).toMatchObject({
      serviceName: 'orders',
      environment: 'eu',
    });
  });

  it('picks exporters: native endpoint, OTLP, console, none', () => {
    expect(
      names(
        tracerOptionsFromEnv({ TRACEWIRE_ENDPOINT: 'http://127.0.0.1:4318/v1/tracewire' }).exporter,
      ),
    ).toEqual(['http']);
    expect(
      names(
        tracerOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).exporter,
      ),
    ).toEqual(['otlp']);
    expect(names(tracerOptionsFromEnv({ OTEL_TRACES_EXPORTER: 'none' }).exporter)).toEqual([]);
    expect(
      names(
        tracerOptionsFromEnv({ OTEL_TRACES_EXPORTER: 'console', NODE_ENV: 'production' }).exporter,
      ),
    ).toEqual(['console']);
  });

  it('honours OTEL_SDK_DISABLED and OTEL_TRACES_SAMPLER', () => {
    expect(tracerOptionsFromEnv({ OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
    const ratio = tracerOptionsFromEnv({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect((ratio.sampler as { description: string }).description).toBe(
      'parent_based(ratio(0.25))',
    );
    const off = tracerOptionsFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' });
    expect((off.sampler as { description: string }).description).toBe('always_off');
  });
});

describe('the default tracer', () => {
  afterEach(() => setDefaultTracer(undefined));

  it('is created once, and setDefaultTracer replaces it', () => {
    setDefaultTracer(undefined);
    const first = getDefaultTracer();
    expect(getDefaultTracer()).toBe(first);
    const mine = createTracer({ serviceName: 'mine', exporter: memoryExporter() });
    setDefaultTracer(mine);
    expect(getDefaultTracer()).toBe(mine);
  });
});
