// A small Koa API traced with @tracewire/koa.
//
//   pnpm --filter @tracewire/example-koa start          serve on 127.0.0.1:$PORT (default 3003)
//   pnpm --filter @tracewire/example-koa start --once   serve, call itself, print the traces, exit
//
// Every request prints its trace as a waterfall on stdout (the console exporter).
import { setTimeout as delay } from 'node:timers/promises';
import Router from '@koa/router';
import { consoleExporter, createTracer, currentTrace, span } from '@tracewire/core';
import { setRoute, tracing } from '@tracewire/koa';
import Koa from 'koa';

const tracer = createTracer({ serviceName: 'koa-example', exporter: consoleExporter() });

const books = new Map([
  ['1', { id: '1', title: 'The Left Hand of Darkness', author: 'Ursula K. Le Guin' }],
  ['2', { id: '2', title: 'Kindred', author: 'Octavia E. Butler' }],
]);

/** A fake database call, wrapped in a child span of the request. */
function findBook(id) {
  return span('db.books.find', async (s) => {
    s.setAttributes({ 'db.system': 'postgresql', 'db.operation': 'SELECT', 'book.id': id });
    await delay(5);
    const book = books.get(id);
    s.setAttribute('db.rows', book ? 1 : 0);
    return book;
  });
}

/** A fake LLM call: an `llm` span with model, token usage and cost. */
function summarise(book) {
  return span(
    'llm.summarise',
    async (s) => {
      const prompt = `Summarise "${book.title}" in one sentence.`;
      await delay(20);
      const summary = `${book.title} by ${book.author}, in one sentence.`;
      s.setIO(prompt, summary);
      s.update({ usage: { inputTokens: 18, outputTokens: 14 }, cost: 0.00021 });
      return summary;
    },
    { kind: 'llm', model: 'gpt-4o-mini', provider: 'openai' },
  );
}

const bookRoutes = new Router({ prefix: '/books' });
bookRoutes.get('/:id', async (ctx) => {
  const book = await findBook(ctx.params.id);
  if (!book) ctx.throw(404, `no book ${ctx.params.id}`);
  ctx.body = book;
});
bookRoutes.get('/:id/summary', async (ctx) => {
  const book = await findBook(ctx.params.id);
  if (!book) ctx.throw(404, `no book ${ctx.params.id}`);
  ctx.state.trace?.update({ tags: ['llm'] });
  ctx.body = { id: book.id, summary: await summarise(book), traceId: currentTrace()?.id };
});

const api = new Router({ prefix: '/api' });
api.use(bookRoutes.routes());
api.get('/fail', async () => {
  await delay(2);
  throw new Error('the storage backend is down');
});

export function createApp() {
  const app = new Koa();
  app.silent = true; // the traces already show every error
  app.use(tracing({ tracer, ignore: ['/health'] }));
  app.use(async (ctx, next) => {
    // Static files are not routed by @koa/router; name them so they share one trace name.
    if (ctx.path.startsWith('/assets/')) setRoute(ctx, '/assets/*');
    await next();
  });
  app.use(api.routes());
  app.use(api.allowedMethods());
  app.use((ctx) => {
    if (ctx.path === '/health') ctx.body = 'ok';
  });
  return app;
}

async function main() {
  const once = process.argv.includes('--once');
  const port = once ? 0 : Number(process.env.PORT ?? 3003);
  const server = createApp().listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;

  if (!once) {
    console.log(`koa example listening on ${base} — try ${base}/api/books/1/summary`);
    const stop = async () => {
      server.close();
      await tracer.shutdown();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }

  for (const path of [
    '/api/books/1',
    '/api/books/2/summary',
    '/api/books/9',
    '/api/fail',
    '/nope',
    '/health',
  ]) {
    const res = await fetch(`${base}${path}`);
    await res.text();
    console.log(
      `${res.status} GET ${path}  traceresponse: ${res.headers.get('traceresponse') ?? '-'}`,
    );
  }
  // Traces end once each response has finished; give the last one a moment, then flush them all.
  await delay(50);
  await tracer.shutdown();
  server.close();
}

await main();
