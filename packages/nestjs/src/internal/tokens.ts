/** The module's `HttpServerTracing`, which its middleware and a module-registered interceptor share. */
export const HTTP_TRACING = Symbol.for('tracewire.nestjs.http-tracing');
