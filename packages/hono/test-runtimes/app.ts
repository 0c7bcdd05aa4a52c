// The app every runtime serves, written the way the Hono README shows it: the
// tracer at module scope, `app.use(tracing())`, a sub-app route and a `span()`
// in the handler, exporting natively and over OTLP to the suite's collectors.
import {
  createTracer,
  currentSpan,
  currentTrace,
  httpExporter,
  inject,
  type Span,
  span,
} from '@tracewire/core';
import { type TracingVariables, tracing } from '@tracewire/hono';
import { otlpExporter } from '@tracewire/otlp';
import { Hono } from 'hono';

// Baked in by the suite's bundler (esbuild `define`).
declare const __RUNTIME__: string;
declare const __NATIVE_URL__: string;
declare const __OTLP_URL__: string;
declare const __DOWNSTREAM_URL__: string;

const tracer = createTracer({
  serviceName: `runtimes-${__RUNTIME__}`,
  exporter: [
    httpExporter({ url: `${__NATIVE_URL__}/v1/tracewire` }),
    otlpExporter({ url: __OTLP_URL__ }),
  ],
  // Every export problem is printed, and the suite fails on any.
  onError: (problem) =>
    console.error(`tracewire export problem: ${problem.kind}: ${problem.message}`),
});

/**
 * `span()` where there is an implicit context; where there is none (Workers
 * without `nodejs_compat`) the request's own span, the explicit handle, is the
 * parent. The suite checks which one each runtime got.
 */
function inSpan<R>(parent: Span, name: string, fn: () => Promise<R>): Promise<R> {
  return currentSpan() !== undefined ? span(name, fn) : parent.startSpan(name).wrap(fn);
}

const users = new Hono<{ Variables: TracingVariables }>();

users.get('/:id', async (c) => {
  const delay = Number(c.req.query('delay') ?? 0);
  const outgoing = await inSpan(c.get('span'), 'db.load', async () => {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    // Read after an await: a context that leaked from a concurrent request shows here.
    const afterAwait = currentTrace()?.id ?? null;
    // What the downstream service receives without any help from the handler...
    const automatic = await (await fetch(`${__DOWNSTREAM_URL__}/echo`)).text();
    // ...and with the explicit `inject()` (the way on runtimes without fetch hooks).
    const injected = await (
      await fetch(`${__DOWNSTREAM_URL__}/echo`, {
        headers: inject({}, c.get('span')),
      })
    ).text();
    return { afterAwait, automatic: automatic || null, injected: injected || null };
  });
  return c.json({
    id: c.req.param('id'),
    trace: c.get('trace').id,
    current: currentTrace()?.id ?? null,
    currentSpanTrace: currentSpan()?.traceId ?? null,
    ...outgoing,
  });
});

users.get('/:id/fail', () => {
  throw new Error('user load failed');
});

export const app = new Hono();
app.use(tracing({ tracer }));
app.onError((_error, c) => c.text('internal error', 500));
app.route('/api/users', users);

export { tracer };
