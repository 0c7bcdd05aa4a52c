import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import {
  Controller,
  Get,
  Header,
  Inject,
  type MessageEvent,
  Param,
  Req,
  Res,
  Sse,
  StreamableFile,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { contractHandlers } from '@tracewire/core/testing';
import { interval, map, type Observable, take } from 'rxjs';

async function* chunks() {
  for (const chunk of contractHandlers.streamChunks()) {
    yield chunk;
    await delay(contractHandlers.chunkGapMs);
  }
}

/** The routes of the shared contract (see `ContractApp` in @tracewire/core/testing), the Nest way. */
@Controller()
export class ContractController {
  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  @Get('users/:id')
  user(@Param('id') id: string) {
    return contractHandlers.user(id);
  }

  @Get('context')
  context() {
    return contractHandlers.context();
  }

  @Get('call')
  call() {
    return contractHandlers.call();
  }

  @Get('status/:code')
  status(@Param('code') code: string, @Res() res: unknown) {
    this.host.httpAdapter.reply(res, '', Number(code));
  }

  @Get('fail')
  fail(): never {
    throw new Error('boom');
  }

  @Get('async-fail')
  async asyncFail(): Promise<never> {
    await delay(5);
    throw new Error('async boom');
  }

  @Get('slow')
  async slow() {
    await contractHandlers.slow();
    return { slow: true };
  }

  @Get('stream')
  @Header('content-type', 'text/plain')
  stream() {
    return new StreamableFile(Readable.from(chunks()));
  }

  @Sse('sse')
  sse(): Observable<MessageEvent> {
    return interval(10).pipe(
      take(3),
      map((i) => ({ data: String(i) })),
    );
  }

  @Get('health')
  health() {
    return 'ok';
  }

  @Get('echo')
  echo(@Req() req: { originalUrl?: string; url: string }) {
    return (req.originalUrl ?? req.url).split('?')[1] ?? '';
  }
}
