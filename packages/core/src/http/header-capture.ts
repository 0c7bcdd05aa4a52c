/** Header names recorded as `http.request.header.*` / `http.response.header.*`. */
export interface HeaderCapture {
  request?: string[];
  response?: string[];
  /**
   * Names that look like secrets (`x-signature`, `x-access-key`, anything with
   * `key`, `token`, `auth`, ...) are refused unless listed here too. Never
   * `authorization`, cookies or the tracer's `redact.headers`.
   * @example captureHeaders: { request: ['x-idempotency-key'], force: ['x-idempotency-key'] }
   */
  force?: string[];
}
