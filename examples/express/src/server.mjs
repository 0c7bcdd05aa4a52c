// A small Express API traced with @tracewire/express.
//
//   pnpm --filter @tracewire/example-express start          serve on 127.0.0.1:$PORT (default 3001)
//   pnpm --filter @tracewire/example-express start --once   serve, call itself, print the traces, exit
//
// Every request prints its trace as a waterfall on stdout (the console exporter).
import { setTimeout as delay } from 'node:timers/promises';
import { consoleExporter, createTracer, currentTrace, span } from '@tracewire/core';
import { tracing, tracingErrorHandler } from '@tracewire/express';
import express from 'express';

const tracer = createTracer({ serviceName: 'express-example', exporter: consoleExporter() });

const tasks = new Map([
  ['acme/1', { id: '1', project: 'acme', title: 'Write the launch post', done: false }],
  ['acme/2', { id: '2', project: 'acme', title: 'Fix the flaky deploy', done: true }],
]);

/** A fake database call, wrapped in a child span of the request. */
function findTask(projectId, taskId) {
  return span('db.tasks.find', async (s) => {
    s.setAttributes({ 'db.system': 'postgresql', 'db.operation': 'SELECT', 'task.id': taskId });
    await delay(5);
    const task = tasks.get(`${projectId}/${taskId}`);
    s.setAttribute('db.rows', task ? 1 : 0);
    return task;
  });
}

/** A fake LLM call: an `llm` span with model, token usage and cost. */
function suggestNextStep(task) {
  return span(
    'llm.suggest',
    async (s) => {
      const prompt = `Suggest the next step for the task "${task.title}".`;
      await delay(20);
      const suggestion = `Block an hour tomorrow morning for "${task.title}".`;
      s.setIO(prompt, suggestion);
      s.update({ usage: { inputTokens: 21, outputTokens: 16 }, cost: 0.00024 });
      return suggestion;
    },
    { kind: 'llm', model: 'gpt-4o-mini', provider: 'openai' },
  );
}

/** Mounted at /projects/:projectId; mergeParams lets it read projectId. */
const taskRoutes = express.Router({ mergeParams: true });
taskRoutes.get('/:taskId', async (req, res) => {
  const task = await findTask(req.params.projectId, req.params.taskId);
  if (!task) return res.status(404).json({ error: `no task ${req.params.taskId}` });
  res.json(task);
});
taskRoutes.post('/:taskId/suggest', async (req, res) => {
  const task = await findTask(req.params.projectId, req.params.taskId);
  if (!task) return res.status(404).json({ error: `no task ${req.params.taskId}` });
  req.trace?.update({ tags: ['llm'] });
  res.json({ id: task.id, suggestion: await suggestNextStep(task), traceId: currentTrace()?.id });
});

const api = express.Router();
api.use('/projects/:projectId/tasks', taskRoutes);
api.get('/fail', async () => {
  await delay(2);
  // Express 5 passes a rejected promise to the error handlers; tracing records it.
  throw new Error('the storage backend is down');
});

export function createApp() {
  const app = express();
  app.use(tracing({ tracer, ignore: ['/health'] }));
  app.get('/health', (_req, res) => {
    res.send('ok');
  });
  app.use('/api/v1', api);
  // Express 5 errors are recorded without it; on Express 4 it is what records them.
  app.use(tracingErrorHandler());
  app.use((error, _req, res, _next) => {
    res.status(500).json({ error: error.message });
  });
  return app;
}

async function main() {
  const once = process.argv.includes('--once');
  const port = once ? 0 : Number(process.env.PORT ?? 3001);
  const server = createApp().listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;

  if (!once) {
    console.log(`express example listening on ${base} — try ${base}/api/v1/projects/acme/tasks/1`);
    const stop = async () => {
      server.close();
      await tracer.shutdown();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }

  for (const [method, path] of [
    ['GET', '/api/v1/projects/acme/tasks/1'],
    ['POST', '/api/v1/projects/acme/tasks/2/suggest'],
    ['GET', '/api/v1/projects/acme/tasks/9'],
    ['GET', '/api/v1/fail'],
    ['GET', '/nope'],
    ['GET', '/health'],
  ]) {
    const res = await fetch(`${base}${path}`, { method });
    await res.text();
    console.log(
      `${res.status} ${method} ${path}  traceresponse: ${res.headers.get('traceresponse') ?? '-'}`,
    );
  }
  // Traces end once each response has finished; give the last one a moment, then flush them all.
  await delay(50);
  await tracer.shutdown();
  server.close();
}

await main();
