// A stand-in for OpenAI on 127.0.0.1: the chat completions endpoint, answering with
// the shapes OpenAI sends (JSON, or SSE chunks with usage last when asked for).
import { createServer } from 'node:http';

const REPLY = ['sku-42', ': a lightweight', ' rain jacket'];
const USAGE = { prompt_tokens: 18, completion_tokens: 11, total_tokens: 29 };

export async function startFakeModel() {
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
      return;
    }
    const body = JSON.parse(raw || '{}');
    const base = {
      id: 'chatcmpl-demo',
      created: Math.floor(Date.now() / 1000),
      model: `${body.model}-2024-07-18`,
    };
    // A model takes a moment to think, and a moment per token.
    await new Promise((resolve) => setTimeout(resolve, 30));
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: REPLY.join('') },
              finish_reason: 'stop',
            },
          ],
          usage: USAGE,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (choices, usage) =>
      res.write(
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...(usage !== undefined ? { usage } : {}) })}\n\n`,
      );
    const withUsage = body.stream_options?.include_usage === true;
    send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    for (const content of REPLY) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      send([{ index: 0, delta: { content }, finish_reason: null }], withUsage ? null : undefined);
    }
    send([{ index: 0, delta: {}, finish_reason: 'stop' }], withUsage ? null : undefined);
    if (withUsage) send([], USAGE);
    res.end('data: [DONE]\n\n');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/v1`, close: () => server.close() };
}
