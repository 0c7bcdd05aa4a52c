import 'reflect-metadata';
import {
  Controller,
  Get,
  type INestApplication,
  type LoggerService,
  Module,
  NotFoundException,
  Param,
  UseInterceptors,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  createTracer,
  currentTrace,
  getDefaultTracer,
  memoryExporter,
  setDefaultTracer,
  type TraceData,
  type Tracer,
} from '@tracewire/core';
import { send, settle, waitForTraces } from '@tracewire/core/testing';
import { TracingInterceptor, TracingModule } from '@tracewire/nestjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapterFor, listen, nestMajor, platforms } from './support/nest';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

@Controller('items')
class ItemsController {
  @Get(':id')
  async item(@Param('id') id: string) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return { id, traceId: currentTrace()?.id ?? null };
  }

  @Get(':id/fail')
  fail(): never {
    throw new Error('item exploded');
  }

  @Get(':id/missing')
  missing(): never {
    throw new NotFoundException();
  }
}

@Controller('decorated')
@UseInterceptors(TracingInterceptor)
class DecoratedController {
  @Get(':id')
  get(@Param('id') id: string) {
    return { id, traceId: currentTrace()?.id ?? null };
  }
}

@Module({ controllers: [ItemsController, DecoratedController] })
class PlainModule {}

/** Collects what Nest logs as warnings and errors (LegacyRouteConverter among them). */
function capturingLogger(into: string[]): LoggerService {
  return {
    log: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
    warn: (message: unknown) => into.push(String(message)),
    error: (message: unknown) => into.push(String(message)),
  };
}

const byPath = (path: string) => (t: TraceData) => t.spans[0]!.attributes['url.path'] === path;

describe.each(platforms)(`TracingInterceptor on its own (nestjs ${nestMajor}, %s)`, (platform) => {
  const exporter = memoryExporter();
  let tracer: Tracer;
  let app: INestApplication;
  let url: string;
  let close: () => Promise<void>;
  let previous: Tracer;

  beforeAll(async () => {
    tracer = createTracer({ serviceName: 'alone', exporter, batch: { scheduledDelayMs: 5 } });
    previous = getDefaultTracer();
    setDefaultTracer(tracer);
    app = await NestFactory.create(PlainModule, adapterFor(platform), {
      logger: false,
      abortOnError: false,
    });
    app.setGlobalPrefix('api');
    app.useGlobalInterceptors(new TracingInterceptor({ tracer }));
    ({ url, close } = await listen(app));
  });
  afterAll(async () => {
    await close?.();
    await tracer?.shutdown();
    setDefaultTracer(previous);
  });
  beforeEach(() => exporter.reset());

  it('traces the request from the interceptor on: named by route, continued, ended with the response', async () => {
    const res = await send(`${url}/api/items/7`, {
      headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).traceId).toBe(CALLER_TRACE);
    expect(String(res.headers.traceresponse).split('-')[1]).toBe(CALLER_TRACE);
    const [trace] = await waitForTraces(tracer, exporter, byPath('/api/items/7'));
    expect(trace!.name).toBe('GET /api/items/:id');
    expect(trace!.spans[0]!.parentId).toBe(CALLER_SPAN);
    expect(trace!.spans[0]!.attributes['http.response.status_code']).toBe(200);
    expect(trace!.spans[0]!.attributes['nest.handler']).toBe('item');
    expect(await settle(tracer, exporter, trace!.id)).toHaveLength(1);
  });

  it('records what the handler throws', async () => {
    const res = await send(`${url}/api/items/7/fail`);
    expect(res.status).toBe(500);
    const [trace] = await waitForTraces(tracer, exporter, byPath('/api/items/7/fail'));
    expect(trace!.name).toBe('GET /api/items/:id/fail');
    expect(trace!.status).toBe('error');
    expect(trace!.spans[0]!.error?.message).toBe('item exploded');
  });

  it('keeps a 4xx HttpException as no error', async () => {
    const res = await send(`${url}/api/items/7/missing`);
    expect(res.status).toBe(404);
    const [trace] = await waitForTraces(tracer, exporter, byPath('/api/items/7/missing'));
    expect(trace!.status).not.toBe('error');
    expect(trace!.spans[0]!.attributes['http.response.status_code']).toBe(404);
  });

  it('traces through @UseInterceptors(TracingInterceptor) once, with the global one also there', async () => {
    const res = await send(`${url}/api/decorated/3`);
    const [trace] = await waitForTraces(tracer, exporter, byPath('/api/decorated/3'));
    expect(trace!.name).toBe('GET /api/decorated/:id');
    expect(JSON.parse(res.body).traceId).toBe(trace!.id);
    expect(await settle(tracer, exporter, trace!.id)).toHaveLength(1);
  });
});

describe.each(platforms)(
  `@UseInterceptors(TracingInterceptor) alone (nestjs ${nestMajor}, %s)`,
  (platform) => {
    const exporter = memoryExporter();
    let tracer: Tracer;
    let url: string;
    let close: () => Promise<void>;
    let previous: Tracer;

    beforeAll(async () => {
      tracer = createTracer({ serviceName: 'decorated', exporter, batch: { scheduledDelayMs: 5 } });
      previous = getDefaultTracer();
      setDefaultTracer(tracer);
      const app = await NestFactory.create(PlainModule, adapterFor(platform), {
        logger: false,
        abortOnError: false,
      });
      ({ url, close } = await listen(app));
    });
    afterAll(async () => {
      await close?.();
      await tracer?.shutdown();
      setDefaultTracer(previous);
    });

    it('traces the decorated controller with the default tracer, and nothing else', async () => {
      await send(`${url}/items/1`);
      const res = await send(`${url}/decorated/4`);
      const [trace] = await waitForTraces(tracer, exporter, byPath('/decorated/4'));
      expect(trace!.name).toBe('GET /decorated/:id');
      expect(JSON.parse(res.body).traceId).toBe(trace!.id);
      expect(exporter.traces().map((t) => t.name)).toEqual(['GET /decorated/:id']);
    });
  },
);

describe.each(platforms)(
  `TracingModule with a global prefix (nestjs ${nestMajor}, %s)`,
  (platform) => {
    const exporter = memoryExporter();
    const logged: string[] = [];
    let tracer: Tracer;
    let url: string;
    let close: () => Promise<void>;

    beforeAll(async () => {
      tracer = createTracer({ serviceName: 'prefixed', exporter, batch: { scheduledDelayMs: 5 } });
      @Module({ imports: [TracingModule.forRoot({ tracer })], controllers: [ItemsController] })
      class PrefixedModule {}
      const app = await NestFactory.create(PrefixedModule, adapterFor(platform), {
        logger: capturingLogger(logged),
        abortOnError: false,
      });
      app.setGlobalPrefix('api');
      ({ url, close } = await listen(app));
    });
    afterAll(async () => {
      await close?.();
      await tracer?.shutdown();
    });

    it('starts without logging an unsupported route, and traces under the prefix', async () => {
      expect(logged.filter((line) => line.includes('Unsupported route path'))).toEqual([]);
      expect(logged).toEqual([]);
      await send(`${url}/api/items/5`);
      const [trace] = await waitForTraces(tracer, exporter, byPath('/api/items/5'));
      expect(trace!.name).toBe('GET /api/items/:id');
    });

    it('names a request no route matched by its method alone', async () => {
      const res = await send(`${url}/api/nothing/here`);
      expect(res.status).toBe(404);
      const [trace] = await waitForTraces(tracer, exporter, byPath('/api/nothing/here'));
      expect(trace!.name).toBe('GET');
      expect(trace!.spans[0]!.attributes['http.route']).toBeUndefined();
      expect(trace!.spans[0]!.attributes['http.response.status_code']).toBe(404);
    });
  },
);
