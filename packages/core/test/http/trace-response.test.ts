import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryExporter } from '../../src/export/memory-exporter';
import {
  endWithNodeResponse,
  type NodeResponseOptions,
  nodeRequestInfo,
} from '../../src/http/node';
import { httpServerTracing } from '../../src/http/server-tracing';
import { createTracer } from '../../src/tracer';

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A traced node:http server whose handler answers however the test says. */
async function serve(answer: (res: ServerResponse) => void, options?: NodeResponseOptions) {
  const tracer = createTracer({ serviceName: 'head', exporter: memoryExporter() });
  const http = httpServerTracing({ tracer });
  const server = createServer((req, res) => {
    const request = http.start(nodeRequestInfo(req));
    endWithNodeResponse(request, res, undefined, options);
    answer(res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return () =>
    new Promise<{
      status: number;
      message: string;
      headers: Record<string, unknown>;
      raw: string[];
    }>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            message: res.statusMessage!,
            headers: res.headers,
            raw: res.rawHeaders,
          }),
        );
      })
        .on('error', reject)
        .end();
    });
}

const TRACE_RESPONSE = /^00-[0-9a-f]{32}-[0-9a-f]{16}-03$/;

describe("traceresponse with { traceResponse: 'head' }, added as the head is written", () => {
  const head = { traceResponse: 'head' } as const;

  it('joins the headers given to writeHead(status, headers), which keep their values', async () => {
    const get = await serve((res) => {
      res.writeHead(201, { 'content-type': 'text/plain', 'x-a': '1' });
      res.end('ok');
    }, head);
    const res = await get();
    expect(res.status).toBe(201);
    expect(res.headers).toMatchObject({ 'content-type': 'text/plain', 'x-a': '1' });
    expect(String(res.headers.traceresponse)).toMatch(TRACE_RESPONSE);
  });

  it('works with a reason phrase, with headers already set, and with a raw header list', async () => {
    const withReason = await serve((res) => {
      res.setHeader('x-early', 'yes');
      res.writeHead(200, 'Fine', { 'x-late': 'yes' });
      res.end();
    }, head);
    const a = await withReason();
    expect(a.message).toBe('Fine');
    expect(a.headers).toMatchObject({ 'x-early': 'yes', 'x-late': 'yes' });
    expect(String(a.headers.traceresponse)).toMatch(TRACE_RESPONSE);

    const raw = await serve((res) => {
      res.writeHead(200, ['x-raw', 'yes']);
      res.end();
    }, head);
    const b = await raw();
    expect(b.headers['x-raw']).toBe('yes');
    expect(String(b.headers.traceresponse)).toMatch(TRACE_RESPONSE);
  });

  it('is there when the head is implicit, and survives an error path that clears every header', async () => {
    const implicit = await serve((res) => res.end('plain'), head);
    expect(String((await implicit()).headers.traceresponse)).toMatch(TRACE_RESPONSE);

    const cleared = await serve((res) => {
      res.setHeader('x-gone', 'yes');
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      res.statusCode = 500;
      res.end('failed');
    }, head);
    const res = await cleared();
    expect(res.headers['x-gone']).toBeUndefined();
    expect(String(res.headers.traceresponse)).toMatch(TRACE_RESPONSE);
  });

  it("leaves an app's own traceresponse alone, and is sent once under a later writeHead wrapper", async () => {
    const own = await serve((res) => {
      res.writeHead(200, { traceresponse: 'mine' });
      res.end();
    }, head);
    expect((await own()).headers.traceresponse).toBe('mine');

    const setOwn = await serve((res) => {
      res.setHeader('traceresponse', 'mine too');
      res.end();
    }, head);
    expect((await setOwn()).headers.traceresponse).toBe('mine too');

    const wrapped = await serve((res) => {
      // What on-headers style middleware does: wrap whatever writeHead is there.
      const inner = res.writeHead;
      res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
        this.setHeader('x-wrapped', 'yes');
        return (inner as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as ServerResponse['writeHead'];
      res.writeHead(200, { 'x-b': '1' });
      res.end();
    }, head);
    const res = await wrapped();
    expect(res.headers).toMatchObject({ 'x-wrapped': 'yes', 'x-b': '1' });
    expect(res.raw.filter((name) => name.toLowerCase() === 'traceresponse')).toHaveLength(1);
  });
});

describe("traceresponse with { traceResponse: 'now' } (the default)", () => {
  const now = { traceResponse: 'now' } as const;

  it('is set on the response at once by default, without wrapping writeHead', async () => {
    let seen: unknown;
    let own = true;
    const get = await serve((res) => {
      seen = res.getHeader('traceresponse');
      own = Object.hasOwn(res, 'writeHead');
      res.writeHead(201, { 'x-a': '1' });
      res.end('ok');
    });
    const res = await get();
    expect(String(seen)).toMatch(TRACE_RESPONSE);
    expect(own).toBe(false);
    expect(res.status).toBe(201);
    expect(res.headers['x-a']).toBe('1');
    expect(res.headers.traceresponse).toBe(seen);
  });

  it("gives way to the app's own traceresponse, set later or given to writeHead", async () => {
    const setOwn = await serve((res) => {
      res.setHeader('traceresponse', 'mine');
      res.end();
    }, now);
    expect((await setOwn()).headers.traceresponse).toBe('mine');

    const given = await serve((res) => {
      res.writeHead(200, { traceresponse: 'given' });
      res.end();
    }, now);
    const res = await given();
    expect(res.headers.traceresponse).toBe('given');
    expect(res.raw.filter((name) => name.toLowerCase() === 'traceresponse')).toHaveLength(1);
  });
});

describe('a Node response, read with Node’s own methods', () => {
  /** A server whose handler runs `before` ahead of the tracing, then answers; resolves with the exported trace. */
  async function traced(
    before: (res: ServerResponse) => void,
    answer: (res: ServerResponse) => void,
  ) {
    const exporter = memoryExporter();
    const tracer = createTracer({ serviceName: 'node-res', exporter });
    const http = httpServerTracing({ tracer });
    const server = createServer((req, res) => {
      before(res);
      const request = http.start(nodeRequestInfo(req));
      endWithNodeResponse(request, res);
      answer(res);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers));
      })
        .on('error', reject)
        .end();
    });
    await tracer.flush();
    const [trace] = exporter.traces();
    return { headers, span: trace!.spans[0]! };
  }

  it('opens a trace on a response whose head is already out, without the header and without throwing', async () => {
    const { headers, span } = await traced(
      (res) => {
        res.writeHead(202, { 'content-type': 'text/plain' });
        res.flushHeaders();
      },
      (res) => res.end('late'),
    );
    expect(headers.traceresponse).toBeUndefined();
    expect(span.attributes['http.response.status_code']).toBe(202);
  });

  it('records the headers Node sends, not what a framework layered over getHeader', async () => {
    const { headers, span } = await traced(
      (res) => {
        // What Express's `res.get` or a wrapper does: answers of their own.
        Object.assign(res, { get: () => 'text/wrong', getHeader: () => 'wrong' });
      },
      (res) => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('content-length', 2);
        res.end('{}');
      },
    );
    expect(String(headers.traceresponse)).toMatch(TRACE_RESPONSE);
    expect(span.attributes['http.response.header.content-type']).toEqual(['application/json']);
    expect(span.attributes['http.response.body.size']).toBe(2);
  });
});
