// In a file of its own: listening on the router's channel is process-wide, so
// this file must be the only one in its worker and never listen.
import { channel } from 'node:diagnostics_channel';
import { waitForTraces } from '@tracewire/core/testing';
import { tracing, tracingErrorHandler } from '@tracewire/express';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { fileTracer } from './support';

const { exporter, tracer } = fileTracer('express-router-errors-off');

const ROUTER_CHANNELS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'].map(
  (event) => `tracing:express.router.request:${event}`,
);

function failingApp(withHandler: boolean) {
  const app = express();
  app.use(tracing({ tracer, routerErrors: false }));
  app.get('/fail', () => {
    throw new TypeError('no such user');
  });
  if (withHandler) app.use(tracingErrorHandler());
  return app;
}

describe('tracing({ routerErrors: false }) on Express 5', () => {
  it("leaves the router's channels without subscribers, so its layers run unwrapped", () => {
    failingApp(false);
    for (const name of ROUTER_CHANNELS) expect(channel(name).hasSubscribers, name).toBe(false);
  });

  it('still marks a 500 as an error, without the exception', async () => {
    exporter.reset();
    expect((await request(failingApp(false)).get('/fail')).status).toBe(500);
    const [trace] = await waitForTraces(tracer, exporter, () => true);
    const server = trace!.spans[0]!;
    expect(server.status).toBe('error');
    expect(server.statusMessage).toBe('HTTP 500');
    expect(server.error).toBeUndefined();
  });

  it('records the exception through tracingErrorHandler(), as on Express 4', async () => {
    exporter.reset();
    expect((await request(failingApp(true)).get('/fail')).status).toBe(500);
    const [trace] = await waitForTraces(tracer, exporter, () => true);
    expect(trace!.spans[0]!.error).toMatchObject({ type: 'TypeError', message: 'no such user' });
    for (const name of ROUTER_CHANNELS) expect(channel(name).hasSubscribers, name).toBe(false);
  });
});
