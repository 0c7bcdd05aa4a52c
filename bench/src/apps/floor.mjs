// The `floor` variant's tracer: the least a tracer can do and still export every
// request. Not a library; a yardstick. Per request it keeps a trace id (the
// caller's, from `traceparent`, or a new one), a span id, the method, route,
// status and start/end times of the request and of the one child span, and
// exports batches of 128 as JSON over HTTP to the same sink as the tracers. No
// context propagation, no attributes, no headers captured or sent, no sampling,
// no queue bounds, no retries: everything a real tracer adds is left out, so its
// cost is what the throughput targets leave room for at most.
import { randomFillSync } from 'node:crypto';
import http from 'node:http';

const POOL = 8192;
const pool = Buffer.allocUnsafe(POOL);
let at = POOL;

function id(bytes) {
  if (at + bytes > POOL) {
    randomFillSync(pool);
    at = 0;
  }
  at += bytes;
  return pool.toString('hex', at - bytes, at);
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const BATCH = 128;

/** A request's record: `[traceId, spanId, parentId, method, route, status, start, end, childId, childStart, childEnd]`. */
export function floorTracer(sinkUrl) {
  const url = new URL(sinkUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let batch = [];
  let exported = 0;

  function send() {
    if (batch.length === 0) return Promise.resolve();
    const body = JSON.stringify(batch);
    exported += batch.length;
    batch = [];
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json' },
    });
    const done = new Promise((resolve) => {
      req.on('response', (res) => res.resume().on('end', resolve));
      req.on('error', resolve);
    });
    req.end(body);
    return done;
  }

  return {
    /** Opens the request's record from its `traceparent` header (or none). */
    start(method, traceparent) {
      const parent = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent) : null;
      return [
        parent ? parent[1] : id(16),
        id(8),
        parent ? parent[2] : null,
        method,
        '',
        0,
        performance.now(),
        0,
        '',
        0,
        0,
      ];
    },
    /** Times `fn` as the request's one child span. */
    async child(record, fn) {
      const start = performance.now();
      const value = await fn();
      record[8] = id(8);
      record[9] = start;
      record[10] = performance.now();
      return value;
    },
    /** Express-style middleware (Express, NestJS on platform-express): the record in `res.locals.floor`. */
    expressMiddleware() {
      return (req, res, next) => {
        const record = this.start(req.method, req.headers.traceparent);
        res.locals.floor = record;
        res.on('finish', () => this.end(record, req.route?.path ?? '', res.statusCode));
        next();
      };
    },
    /** Closes the record and queues it; every 128th sends the batch. */
    end(record, route, status) {
      record[4] = route;
      record[5] = status;
      record[7] = performance.now();
      batch.push(record);
      if (batch.length >= BATCH) send();
    },
    stats() {
      return { tracesExported: exported, tracesDropped: {} };
    },
    shutdown() {
      return send();
    },
  };
}
