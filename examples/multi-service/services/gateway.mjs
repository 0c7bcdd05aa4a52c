// The edge: Hono. Takes checkout and recommendation requests and fans out.
import { serve } from '@hono/node-server';
import { span } from '@tracewire/core';
import { tracing } from '@tracewire/hono';
import { Hono } from 'hono';
import { port, ready, serviceTracer } from './tracer.mjs';

const tracer = serviceTracer('gateway');
const ORDERS = process.env.ORDERS_URL ?? 'http://127.0.0.1:4102';
const INVENTORY = process.env.INVENTORY_URL ?? 'http://127.0.0.1:4104';

const app = new Hono();
app.use(tracing({ tracer, ignore: ['/health'] }));
app.get('/health', (c) => c.text('ok'));

app.post('/checkout/:sku', async (c) => {
  const { card = 'ok' } = c.req.query();
  const res = await fetch(`${ORDERS}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: c.req.param('sku'), card, quantity: 1 }),
  });
  return c.json(await res.json(), res.status);
});

app.get('/recommend/:userId', async (c) => {
  const prompt = `Suggest one product for user ${c.req.param('userId')}`;
  // A fake model call: no network, but the span carries what a real one would.
  const suggestion = await span(
    'llm.chat',
    async (s) => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      const output = { role: 'assistant', content: 'sku-42: a lightweight rain jacket' };
      s.end({ output, usage: { inputTokens: 18, outputTokens: 11 }, cost: 0.000087 });
      return output.content;
    },
    {
      kind: 'llm',
      model: 'fake-gpt-mini',
      provider: 'fake-ai',
      input: [{ role: 'user', content: prompt }],
    },
  );
  const sku = suggestion.split(':')[0];
  const stock = await fetch(`${INVENTORY}/inventory/${sku}`).then((r) => r.json());
  return c.json({ suggestion, stock });
});

const listenPort = port('PORT', 4101);
serve({ fetch: app.fetch, port: listenPort, hostname: '127.0.0.1' }, () =>
  ready('gateway', listenPort),
);
