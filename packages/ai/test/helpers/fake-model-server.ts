import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI- and Anthropic-compatible HTTP server on 127.0.0.1 answering with
 * recorded-shape JSON and SSE. The request's `model` picks the behaviour:
 * `rate-limited` (429), `broken` (500), `error-mid-stream` (an error event after
 * two chunks), `hang-stream` (two events, then nothing
 * until the client goes away), `empty-final` (Responses stream whose final event
 * has no output, as some proxies send); anything else answers normally.
 */
export interface FakeModelServer {
  url: string;
  /** Every request body received, in order. */
  requests: Array<{ path: string; body: Record<string, any>; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

const CREATED = 1_741_569_952;

export async function startFakeModelServer(): Promise<FakeModelServer> {
  const requests: FakeModelServer['requests'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    const path = (req.url ?? '').split('?')[0]!;
    requests.push({ path, body, headers: req.headers });
    try {
      route(path, body, res);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function route(path: string, body: Record<string, any>, res: ServerResponse) {
  const anthropic = path.endsWith('/messages');
  if (body.model === 'rate-limited') {
    return json(
      res,
      429,
      anthropic
        ? {
            type: 'error',
            error: {
              type: 'rate_limit_error',
              message: 'Number of request tokens has exceeded your per-minute rate limit',
            },
          }
        : {
            error: {
              message:
                'Rate limit reached for gpt-4o-mini in organization org-x on requests per min (RPM): Limit 3, Used 3, Requested 1.',
              type: 'requests',
              param: null,
              code: 'rate_limit_exceeded',
            },
          },
      { 'retry-after': '20' },
    );
  }
  if (body.model === 'broken') {
    return json(
      res,
      500,
      anthropic
        ? { type: 'error', error: { type: 'api_error', message: 'Internal server error' } }
        : {
            error: {
              message: 'The server had an error while processing your request.',
              type: 'server_error',
              param: null,
              code: null,
            },
          },
    );
  }
  if (path.endsWith('/chat/completions'))
    return body.stream ? chatStream(body, res) : json(res, 200, chatCompletion(body));
  if (path.endsWith('/responses'))
    return body.stream ? responsesStream(body, res) : json(res, 200, response(body));
  if (path.endsWith('/embeddings')) return json(res, 200, embeddings(body));
  if (anthropic)
    return body.stream ? anthropicStream(body, res) : json(res, 200, anthropicMessage(body));
  json(res, 404, { error: { message: `no route ${path}`, type: 'invalid_request_error' } });
}

function json(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-request-id': 'req_fake123',
    'request-id': 'req_fake123',
    ...headers,
  });
  res.end(JSON.stringify(value));
}

function sse(
  res: ServerResponse,
  events: Array<{ event?: string; data: unknown }>,
  hang: boolean,
  done: boolean,
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_fake123' });
  const send = (e: { event?: string; data: unknown }) =>
    res.write(
      `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`,
    );
  if (hang) {
    for (const e of events.slice(0, 2)) send(e);
    return; // held open until the client aborts
  }
  for (const e of events) send(e);
  if (done) send({ data: '[DONE]' });
  res.end();
}

const wantsTools = (body: Record<string, any>) =>
  Array.isArray(body.tools) && body.tools.length > 0;
const dated = (model: string) => (model === 'gpt-4o-mini' ? 'gpt-4o-mini-2024-07-18' : model);

// --- OpenAI chat ---------------------------------------------------------------

const CHAT_USAGE = {
  prompt_tokens: 19,
  completion_tokens: 10,
  total_tokens: 29,
  prompt_tokens_details: { cached_tokens: 6, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

function chatCompletion(body: Record<string, any>) {
  const tools = wantsTools(body);
  const content =
    body.response_format?.type === 'json_schema'
      ? '{"city":"Paris","temperature_c":18}'
      : 'Paris is the capital of France.';
  return {
    id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    object: 'chat.completion',
    created: CREATED,
    model: dated(body.model),
    choices: [
      {
        index: 0,
        message: tools
          ? {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'call_abc123',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
                },
              ],
              refusal: null,
              annotations: [],
            }
          : { role: 'assistant', content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: tools ? 'tool_calls' : 'stop',
      },
    ],
    usage: CHAT_USAGE,
    service_tier: 'default',
    system_fingerprint: 'fp_06737a9306',
  };
}

function chatStream(body: Record<string, any>, res: ServerResponse): void {
  const includeUsage = body.stream_options?.include_usage === true;
  const base = {
    id: 'chatcmpl-stream1',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: dated(body.model),
    system_fingerprint: 'fp_06737a9306',
    ...(includeUsage ? { usage: null } : {}),
  };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    data: { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] },
  });
  const events = wantsTools(body)
    ? [
        chunk({
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              index: 0,
              id: 'call_abc123',
              type: 'function',
              function: { name: 'get_weather', arguments: '' },
            },
          ],
          refusal: null,
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Par' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] }),
        chunk({}, 'tool_calls'),
      ]
    : [
        chunk({ role: 'assistant', content: '', refusal: null }),
        chunk({ content: 'Paris' }),
        chunk({ content: ' is the capital' }),
        chunk({ content: ' of France.' }),
        chunk({}, 'stop'),
      ];
  if (includeUsage) events.push({ data: { ...base, choices: [], usage: CHAT_USAGE } as never });
  if (body.model === 'error-mid-stream') {
    // What OpenAI sends when a stream fails after it started: an error object as data.
    events.splice(3, events.length, {
      data: {
        error: {
          message: 'The model produced invalid content.',
          type: 'server_error',
          param: null,
          code: null,
        },
      } as never,
    });
  }
  sse(res, events, body.model === 'hang-stream', true);
}

// --- OpenAI responses ----------------------------------------------------------

const RESPONSE_USAGE = {
  input_tokens: 36,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 87,
  output_tokens_details: { reasoning_tokens: 64 },
  total_tokens: 123,
};
const OUTPUT_MESSAGE = {
  id: 'msg_67ccd2bf17f0819081ff3bb2cf6508e6',
  type: 'message',
  status: 'completed',
  role: 'assistant',
  content: [
    { type: 'output_text', text: 'Under a silver moon, a unicorn slept.', annotations: [] },
  ],
};

function response(
  body: Record<string, any>,
  status: 'in_progress' | 'completed' = 'completed',
  output: unknown[] = [OUTPUT_MESSAGE],
) {
  return {
    id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
    object: 'response',
    created_at: CREATED,
    status,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: null,
    model: body.model === 'gpt-4.1' ? 'gpt-4.1-2025-04-14' : body.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: status === 'completed' ? RESPONSE_USAGE : null,
    user: null,
    metadata: {},
  };
}

function responsesStream(body: Record<string, any>, res: ServerResponse): void {
  const item = { ...OUTPUT_MESSAGE, status: 'in_progress', content: [] };
  const text = OUTPUT_MESSAGE.content[0]!.text;
  const deltas = ['Under a silver moon,', ' a unicorn', ' slept.'];
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) => ({
    event: type,
    data: { type, sequence_number: seq++, ...data },
  });
  const events = [
    ev('response.created', { response: response(body, 'in_progress', []) }),
    ev('response.in_progress', { response: response(body, 'in_progress', []) }),
    ev('response.output_item.added', { output_index: 0, item }),
    ev('response.content_part.added', {
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', annotations: [], text: '' },
    }),
    ...deltas.map((delta) =>
      ev('response.output_text.delta', {
        item_id: item.id,
        output_index: 0,
        content_index: 0,
        delta,
        logprobs: [],
      }),
    ),
    ev('response.output_text.done', {
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      text,
      logprobs: [],
    }),
    ev('response.content_part.done', {
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', annotations: [], text },
    }),
    ev('response.output_item.done', { output_index: 0, item: OUTPUT_MESSAGE }),
    ev('response.completed', {
      response: response(body, 'completed', body.model === 'empty-final' ? [] : [OUTPUT_MESSAGE]),
    }),
  ];
  sse(res, events, body.model === 'hang-stream', false);
}

// --- OpenAI embeddings ----------------------------------------------------------

function embeddings(body: Record<string, any>) {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const vector = [0.0023064255, -0.009327292, 0.015797347, -0.0077780345];
  const encoded = Buffer.from(new Float32Array(vector).buffer).toString('base64');
  return {
    object: 'list',
    data: inputs.map((_: unknown, index: number) => ({
      object: 'embedding',
      index,
      embedding: body.encoding_format === 'base64' ? encoded : vector,
    })),
    model: body.model,
    usage: { prompt_tokens: 8, total_tokens: 8 },
  };
}

// --- Anthropic messages -----------------------------------------------------------

const ANTHROPIC_USAGE = {
  input_tokens: 12,
  cache_creation_input_tokens: 100,
  cache_read_input_tokens: 2000,
  output_tokens: 6,
  service_tier: 'standard',
};

function anthropicMessage(body: Record<string, any>) {
  const tools = wantsTools(body);
  return {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: body.model === 'claude-sonnet-4-5' ? 'claude-sonnet-4-5-20250929' : body.model,
    content: tools
      ? [
          { type: 'text', text: 'Let me check.' },
          {
            type: 'tool_use',
            id: 'toolu_01A09q90qw90lq917835lq9',
            name: 'get_weather',
            input: { city: 'Paris' },
          },
        ]
      : [{ type: 'text', text: 'Hello! How can I help?' }],
    stop_reason: tools ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: ANTHROPIC_USAGE,
  };
}

function anthropicStream(body: Record<string, any>, res: ServerResponse): void {
  const ev = (type: string, data: Record<string, unknown> = {}) => ({
    event: type,
    data: { type, ...data },
  });
  const start = {
    ...anthropicMessage(body),
    content: [],
    stop_reason: null,
    usage: { ...ANTHROPIC_USAGE, output_tokens: 1 },
  };
  const events = wantsTools(body)
    ? [
        ev('message_start', { message: start }),
        ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
        ev('content_block_delta', {
          index: 0,
          delta: { type: 'text_delta', text: 'Let me check.' },
        }),
        ev('content_block_stop', { index: 0 }),
        ev('content_block_start', {
          index: 1,
          content_block: {
            type: 'tool_use',
            id: 'toolu_01A09q90qw90lq917835lq9',
            name: 'get_weather',
            input: {},
          },
        }),
        ev('content_block_delta', {
          index: 1,
          delta: { type: 'input_json_delta', partial_json: '{"city": "Pa' },
        }),
        ev('content_block_delta', {
          index: 1,
          delta: { type: 'input_json_delta', partial_json: 'ris"}' },
        }),
        ev('content_block_stop', { index: 1 }),
        ev('message_delta', {
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { output_tokens: 40 },
        }),
        ev('message_stop'),
      ]
    : [
        ev('message_start', { message: start }),
        ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
        ev('ping'),
        ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello!' } }),
        ev('content_block_delta', {
          index: 0,
          delta: { type: 'text_delta', text: ' How can I help?' },
        }),
        ev('content_block_stop', { index: 0 }),
        ev('message_delta', {
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: 15 },
        }),
        ev('message_stop'),
      ];
  sse(res, events, body.model === 'hang-stream', false);
}
