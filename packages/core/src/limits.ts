/** Bounds that protect memory; what they cut is counted on the trace. */
export interface Limits {
  /** Spans recorded per trace, the root included. Default 1000. */
  maxSpansPerTrace: number;
  /** Attributes per span. Default 128. */
  maxAttributesPerSpan: number;
  /** Characters kept of a string attribute value. Default 4096. */
  maxAttributeValueLength: number;
  /** Characters kept of a span's serialised input or output. Default 64 KiB. */
  maxIoBytes: number;
  /** Events (and signals) per span. Default 128. */
  maxEventsPerSpan: number;
  /** Correlated logs kept per trace. Default 1000. */
  maxLogsPerTrace: number;
}
