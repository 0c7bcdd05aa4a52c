// Orders: Express. Stores the order, charges payments, reserves inventory, runs a job.
import { span } from '@tracewire/core';
import { tracing } from '@tracewire/express';
import express from 'express';
import { ordersDatabase } from './database.mjs';
import { port, ready, serviceTracer } from './tracer.mjs';

const tracer = serviceTracer('orders');
const db = await ordersDatabase(tracer);
const PAYMENTS = process.env.PAYMENTS_URL ?? 'http://127.0.0.1:4103';
const INVENTORY = process.env.INVENTORY_URL ?? 'http://127.0.0.1:4104';

const app = express();
app.use(tracing({ tracer, ignore: ['/health'] }));
app.use(express.json());
app.get('/health', (_req, res) => res.send('ok'));

const orders = express.Router();
orders.post('/', async (req, res, next) => {
  try {
    const { sku, card, quantity } = req.body;
    const order = { id: `ord_${Date.now().toString(36)}`, sku, quantity };
    await db.insert(order);
    const payment = await fetch(`${PAYMENTS}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: order.id, card, amount: 4200 }),
    });
    if (!payment.ok) {
      res.status(402).json({ order: order.id, error: 'payment declined' });
      return;
    }
    await fetch(`${INVENTORY}/inventory/${sku}/reserve`, { method: 'POST' });
    await span(
      'job.send-confirmation',
      async (s) => {
        s.setAttributes({ 'messaging.destination.name': 'emails', 'order.id': order.id });
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
      { kind: 'job' },
    );
    res.status(201).json({ order: order.id, status: 'confirmed' });
  } catch (error) {
    next(error);
  }
});
app.use('/orders', orders);

const listenPort = port('PORT', 4102);
app.listen(listenPort, '127.0.0.1', () => ready('orders', listenPort));
