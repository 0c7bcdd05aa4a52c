// Payments: Koa with @koa/router. Declines the card named "declined".
import Router from '@koa/router';
import { span } from '@tracewire/core';
import { tracing } from '@tracewire/koa';
import Koa from 'koa';
import { port, ready, serviceTracer } from './tracer.mjs';

const tracer = serviceTracer('payments');
const app = new Koa();
app.use(tracing({ tracer, ignore: ['/health'] }));
app.on('error', () => {}); // the trace records failures; keep the demo output clean

const router = new Router();
router.get('/health', (ctx) => {
  ctx.body = 'ok';
});
router.post('/payments', async (ctx) => {
  const body = await readJson(ctx.req);
  await span('fraud.check', async (s) => {
    s.setAttributes({ 'payment.amount': body.amount });
    await new Promise((resolve) => setTimeout(resolve, 6));
  });
  await span('card.charge', async (s) => {
    s.setAttributes({ 'payment.provider': 'fake-card-network' });
    await new Promise((resolve) => setTimeout(resolve, 12));
    if (body.card === 'declined') {
      const error = new Error('card declined by issuer');
      error.status = 502;
      throw error;
    }
  });
  ctx.status = 201;
  ctx.body = { charged: body.amount, order: body.orderId };
});
app.use(router.routes()).use(router.allowedMethods());

function readJson(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => resolve(text ? JSON.parse(text) : {}));
    req.on('error', reject);
  });
}

const listenPort = port('PORT', 4103);
app.listen(listenPort, '127.0.0.1', () => ready('payments', listenPort));
