import { is, type OptionRule, type OptionTable } from './options-check';

const headers: OptionRule = {
  expected: 'an object of header names to string values',
  test: (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((value) => typeof value === 'string'),
};
const attributes: OptionRule = {
  expected: 'an object of attributes',
  test: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
};

/** Every option of `httpExporter()`, one line each. */
export const HTTP_EXPORTER_OPTIONS: OptionTable = {
  url: is.url,
  getAuthToken: is.function,
  headers,
  timeoutMs: is.nonNegative,
  compression: is.literal('gzip', 'none'),
  resource: attributes,
};

/** Every option of `consoleExporter()`, one line each. */
export const CONSOLE_EXPORTER_OPTIONS: OptionTable = {
  write: is.function,
  colors: is.oneOf(is.boolean, is.literal('auto')),
  width: is.nonNegative,
  showLogs: is.boolean,
  showAttributes: is.oneOf(is.boolean, is.stringArray),
};
