export {
  type RegisterOpenTelemetryOptions,
  registerOpenTelemetry,
} from './register-open-telemetry';
