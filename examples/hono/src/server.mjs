// A small Hono API traced with @tracewire/hono, served by @hono/node-server.
//
//   pnpm --filter @tracewire/example-hono start          # http://127.0.0.1:3003
//   node src/server.mjs --once                           # a few requests, waterfalls, exit 0
import { serve } from '@hono/node-server';
import { consoleExporter, createTracer, span } from '@tracewire/core';
import { tracing } from '@tracewire/hono';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { streamSSE } from 'hono/streaming';

const once = process.argv.includes('--once');
const port = Number(process.env.PORT ?? (once ? 0 : 3003));

const tracer = createTracer({
  serviceName: 'hono-example',
  exporter: consoleExporter({ showAttributes: ['user.id', 'db.rows'] }),
});

const users = new Map([
  ['1', { id: '1', name: 'Ada' }],
  ['2', { id: '2', name: 'Grace' }],
]);

/** Stands in for a database call: a child span of whatever span is current. */
function findUser(id) {
  return span('db.users.find', async (s) => {
    s.setAttributes({ 'db.system': 'postgresql', 'user.id': id });
    await sleep(8);
    const user = users.get(id);
    s.setAttribute('db.rows', user ? 1 : 0);
    return user;
  });
}

/** Stands in for a model call: an `llm` span with model, usage and cost. */
function summarise(text) {
  return span(
    'llm.summarise',
    async (s) => {
      await sleep(25);
      const output = `${text.split(' ').slice(0, 4).join(' ')}…`;
      s.setOutput(output);
      s.update({ usage: { inputTokens: 42, outputTokens: 9, totalTokens: 51 }, cost: 0.000_153 });
      return output;
    },
    { kind: 'llm', model: 'gpt-4o-mini', provider: 'openai', input: text },
  );
}

const api = new Hono();
api.get('/users/:id', async (c) => {
  const user = await findUser(c.req.param('id'));
  if (!user) throw new HTTPException(404, { message: 'no such user' });
  c.get('trace').update({ userId: user.id });
  return c.json(user);
});
api.post('/users/:id/summary', async (c) => {
  const user = await findUser(c.req.param('id'));
  const summary = await summarise(
    `${user?.name ?? 'Someone'} wrote the first program for an engine`,
  );
  return c.json({ summary });
});
api.get('/fail', async () => {
  await findUser('1');
  throw new Error('the payments service is down');
});
api.get('/events', (c) =>
  streamSSE(c, async (stream) => {
    for (let i = 1; i <= 3; i++) {
      await stream.writeSSE({ data: `tick ${i}` });
      await stream.sleep(10);
    }
  }),
);

const app = new Hono();
app.use(tracing({ tracer, ignore: ['/health'] }));
app.get('/health', (c) => c.text('ok'));
app.route('/api', api);
app.onError((err, c) => {
  if (err instanceof HTTPException) return err.getResponse();
  return c.json({ error: 'internal error' }, 500);
});

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, async (info) => {
  const base = `http://127.0.0.1:${info.port}`;
  if (!once) {
    console.log(`hono example listening on ${base} (try ${base}/api/users/1)`);
    return;
  }
  const calls = [
    ['GET', '/api/users/1'],
    ['GET', '/api/users/99'],
    ['POST', '/api/users/2/summary'],
    ['GET', '/api/fail'],
    ['GET', '/api/events'],
    ['GET', '/health'],
  ];
  for (const [method, path] of calls) {
    const res = await fetch(`${base}${path}`, { method });
    await res.text();
    console.log(
      `${method} ${path} -> ${res.status}  traceresponse: ${res.headers.get('traceresponse') ?? '-'}`,
    );
  }
  await tracer.shutdown();
  server.close();
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    server.close();
    await tracer.shutdown();
    process.exit(0);
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
