// The edge: Hono. Takes checkout and recommendation requests and fans out.
import { serve } from '@hono/node-server';
import { observeOpenAI } from '@tracewire/ai';
import { tracing } from '@tracewire/hono';
import { Hono } from 'hono';
import OpenAI from 'openai';
import { startFakeModel } from './fake-model.mjs';
import { port, ready, serviceTracer } from './tracer.mjs';

const tracer = serviceTracer('gateway');
const ORDERS = process.env.ORDERS_URL ?? 'http://127.0.0.1:4102';
const INVENTORY = process.env.INVENTORY_URL ?? 'http://127.0.0.1:4104';
// The real OpenAI SDK, observed, talking to a fake OpenAI-compatible model on 127.0.0.1.
const model = await startFakeModel();
const openai = observeOpenAI(new OpenAI({ apiKey: 'sk-demo', baseURL: model.url, maxRetries: 0 }), {
  tracer,
});

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
  // No hand-written span: the observed client records model, usage, cost and output.
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: prompt }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let suggestion = '';
  for await (const chunk of stream) suggestion += chunk.choices[0]?.delta.content ?? '';
  const sku = suggestion.split(':')[0];
  const stock = await fetch(`${INVENTORY}/inventory/${sku}`).then((r) => r.json());
  return c.json({ suggestion, stock });
});

const listenPort = port('PORT', 4101);
serve({ fetch: app.fetch, port: listenPort, hostname: '127.0.0.1' }, () =>
  ready('gateway', listenPort),
);
