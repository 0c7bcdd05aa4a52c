'use strict';
// Test plumbing only, not part of the recipe: when a service runs as a child
// process of the test (it has an IPC channel), it also sends what it recorded to
// the test, so the test can check ids and parents without a collector in between.
// `flush` messages make it drain its exporters first, so "nothing was recorded"
// can be asserted without waiting for a timer.

const canReport = typeof process.send === 'function';

function send(message) {
  if (canReport && process.connected) process.send(message);
}

/** Tells the test the service is listening. */
function ready(service, port) {
  if (!canReport) {
    console.log(`[${service}] listening on http://127.0.0.1:${port}`);
    return;
  }
  // A test that dies without stopping its services must not leave them running.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  send({ type: 'ready', service, port });
}

/** An OpenTelemetry SpanProcessor that sends every finished span to the test. */
function otelSpanReporter() {
  return {
    onStart() {},
    onEnd(span) {
      const context = span.spanContext();
      send({
        type: 'spans',
        spans: [
          {
            traceId: context.traceId,
            spanId: context.spanId,
            parentSpanId: span.parentSpanContext?.spanId ?? null,
            traceFlags: context.traceFlags,
            traceState: context.traceState?.serialize() ?? null,
            name: span.name,
            kind: span.kind,
          },
        ],
      });
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

/** A tracewire exporter that sends every finished trace to the test. */
function tracewireReporter() {
  return {
    name: 'report-to-test',
    export(batch) {
      if (batch.traces.length > 0) send({ type: 'traces', traces: batch.traces });
      return { ok: true };
    },
  };
}

/** Answers the test's `flush` requests: `flush()` drains the exporters, `stats()` is sent back. */
function onFlushRequest(flush, stats = () => undefined) {
  if (!canReport) return;
  process.on('message', (message) => {
    if (message?.type !== 'flush') return;
    Promise.resolve()
      .then(flush)
      .then(
        () => send({ type: 'flushed', id: message.id, stats: stats() }),
        (error) => send({ type: 'flushed', id: message.id, error: String(error) }),
      );
  });
}

module.exports = { onFlushRequest, otelSpanReporter, ready, tracewireReporter };
