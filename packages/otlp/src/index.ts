import './register';

export { fromOtlpTraces } from './from-otlp-traces';
export {
  decodeLogs as decodeOtlpLogs,
  decodeTraces as decodeOtlpTraces,
} from './internal/protobuf';
export {
  type OtlpCompression,
  type OtlpExporterOptions,
  type OtlpProtocol,
  otlpExporter,
} from './otlp-exporter';
export * from './otlp-types';
export { toOtlpLogs } from './to-otlp-logs';
export { toOtlpTraces } from './to-otlp-traces';
