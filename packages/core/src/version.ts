/** The package version, reported to exporters as `telemetry.sdk.version`. */
export const VERSION = '0.1.0';
