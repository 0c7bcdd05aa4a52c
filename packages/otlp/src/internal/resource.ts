import type { AttributeValue } from '@tracewire/core';
import type { OtlpInstrumentationScope, OtlpResource, ResourceAttributes } from '../otlp-types';
import { toKeyValues } from './values';

/** The instrumentation scope of everything tracewire records. */
export const SCOPE_NAME = '@tracewire/core';

/**
 * The resource of one service. Extra attributes may add anything (`service.version`,
 * `host.name`, ...) but cannot rename the service or environment: those come from
 * the tracer that recorded the data, so one exporter can carry several services.
 */
export function buildResource(
  serviceName: string,
  environment: string | undefined,
  sdkVersion: string | undefined,
  extra: ResourceAttributes | undefined,
): OtlpResource {
  const attributes = new Map<string, AttributeValue>();
  if (extra) for (const key of Object.keys(extra)) attributes.set(key, extra[key]);
  attributes.set('service.name', serviceName);
  if (environment) attributes.set('deployment.environment.name', environment);
  attributes.set('telemetry.sdk.name', 'tracewire');
  attributes.set('telemetry.sdk.language', 'nodejs');
  if (sdkVersion) attributes.set('telemetry.sdk.version', sdkVersion);
  return { attributes: toKeyValues(attributes) };
}

export function buildScope(sdkVersion: string | undefined): OtlpInstrumentationScope {
  return sdkVersion ? { name: SCOPE_NAME, version: sdkVersion } : { name: SCOPE_NAME };
}

export function resourceKey(
  serviceName: string,
  environment: string | undefined,
  sdkVersion: string | undefined,
): string {
  return `${serviceName}\u0000${environment ?? ''}\u0000${sdkVersion ?? ''}`;
}
