import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  Catch,
  Controller,
  type ExceptionFilter,
  type ExecutionContext,
  ForbiddenException,
  Get,
  HttpException,
  Inject,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestInterceptor,
  type NestModule,
  Param,
  ParseIntPipe,
  Post,
  type Type,
  UploadedFile,
  UseFilters,
  UseGuards,
  UseInterceptors,
  Version,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import * as platformExpress from '@nestjs/platform-express';
import * as platformFastify from '@nestjs/platform-fastify';
import {
  currentSpan,
  currentTrace,
  runUntraced,
  type Span,
  span,
  type Trace,
  type Tracer,
} from '@tracewire/core';
import { CurrentSpan, CurrentTrace, InjectTracer, Traced } from '@tracewire/nestjs';
import { delay, from, mergeMap, type Observable } from 'rxjs';
import type { Platform } from './nest';

export const UPSTREAM_URL = 'UPSTREAM_URL';

/** An error of the app's own, answered by the app's own exception filter. */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter {
  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  catch(error: DomainError, host: ArgumentsHost): void {
    const body = { custom: true, message: error.message, sameError: error instanceof DomainError };
    this.host.httpAdapter.reply(host.switchToHttp().getResponse(), body, error.status);
  }
}

@Injectable()
export class UsersRepository {
  @Traced()
  async load(id: string) {
    await sleep(2);
    return { id, name: `user ${id}` };
  }
}

@Injectable()
export class UsersService {
  constructor(
    @Inject(UsersRepository) private readonly repository: UsersRepository,
    @Inject(UPSTREAM_URL) private readonly upstream: string,
  ) {}

  @Traced('users.find')
  async find(id: string) {
    return this.repository.load(id);
  }

  /** Calls another service, then reports what the implicit context holds. */
  @Traced()
  async profile(id: string) {
    const res = await fetch(`${this.upstream}/profiles/${id}`);
    const upstream = (await res.json()) as unknown;
    return { upstream, traceId: currentTrace()?.id, spanName: currentSpan()?.name };
  }

  @Traced()
  async storeAvatar(id: string, size: number) {
    await sleep(1);
    return { id, size, traceId: currentTrace()?.id };
  }
}

/** An async guard that does traced work of its own; `x-deny` makes it refuse, `x-crash` throw. */
@Injectable()
export class AuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): Promise<boolean> {
    const headers = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, unknown> }>().headers;
    return span('auth.check', async (s) => {
      await sleep(3);
      const allowed = headers['x-deny'] === undefined;
      s.setAttribute('auth.allowed', allowed);
      if (!allowed) throw new ForbiddenException('denied');
      if (headers['x-crash'] !== undefined) throw new Error('guard crashed');
      return true;
    });
  }
}

/** A user interceptor that post-processes the response in an RxJS pipeline. */
@Injectable()
export class EnrichInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      delay(5),
      mergeMap((value) =>
        from(
          span('rx.enrich', async () => {
            await sleep(1);
            return { ...(value as object), rxTraceId: currentTrace()?.id };
          }),
        ),
      ),
    );
  }
}

@Controller('users')
@UseGuards(AuthGuard)
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Get(':id')
  @Version('1')
  find(@Param('id') id: string) {
    return this.users.find(id);
  }

  @Get(':id/profile')
  @Version('1')
  profile(@Param('id') id: string) {
    return this.users.profile(id);
  }

  @Get(':id/enriched')
  @Version('1')
  @UseInterceptors(EnrichInterceptor)
  enriched(@Param('id') id: string) {
    return this.users.find(id);
  }

  @Traced('handler.above')
  @Get(':id/traced-above')
  tracedAbove(@Param('id') id: string) {
    return { id, span: currentSpan()?.name };
  }

  @Get(':id/traced-below')
  @Traced('handler.below')
  tracedBelow(@Param('id') id: string) {
    return { id, span: currentSpan()?.name };
  }
}

@Controller('errors')
@UseFilters(DomainErrorFilter)
export class ErrorsController {
  @Get('http/:code')
  http(@Param('code') code: string): never {
    throw new HttpException(`status ${code}`, Number(code));
  }

  @Get('thrown')
  thrown(): never {
    throw new Error('kaboom');
  }

  @Get('domain/:code')
  domain(@Param('code') code: string): never {
    throw new DomainError('domain says no', Number(code));
  }

  @Get('pipe/:id')
  pipe(@Param('id', ParseIntPipe) id: number) {
    return { id };
  }

  /** Never reached: `crashingMiddleware` throws first. */
  @Get('middleware')
  middleware() {
    return { reached: true };
  }
}

@Controller('context')
export class ContextController {
  constructor(@InjectTracer() private readonly tracer: Tracer) {}

  @Get('params')
  params(@CurrentTrace() trace: Trace | undefined, @CurrentSpan() current: Span | undefined) {
    return { traceId: trace?.id, spanId: current?.id, implicitTraceId: currentTrace()?.id };
  }

  @Get('tracer')
  injected() {
    return { serviceName: this.tracer.serviceName };
  }

  @Get('lost')
  lost() {
    return { traceId: currentTrace()?.id ?? null };
  }
}

/** One handler method, inherited by two controllers. */
abstract class PingController {
  @Get('ping')
  ping() {
    return 'pong';
  }
}

@Controller('alpha')
export class AlphaController extends PingController {}

@Controller('beta')
export class BetaController extends PingController {}

/** The platform's upload interceptor; Nest 11's Fastify platform has none. */
export function fileInterceptorOf(
  platform: Platform,
): ((field: string) => Type<NestInterceptor>) | undefined {
  const exports: Record<string, unknown> =
    platform === 'express' ? platformExpress : platformFastify;
  return exports.FileInterceptor as ((field: string) => Type<NestInterceptor>) | undefined;
}

export function uploadsController(fileInterceptor: (field: string) => Type<NestInterceptor>): Type {
  @Controller('uploads')
  class UploadsController {
    constructor(@Inject(UsersService) private readonly users: UsersService) {}

    @Post(':id')
    @UseInterceptors(fileInterceptor('file'))
    upload(@Param('id') id: string, @UploadedFile() file: { size: number } | undefined) {
      return this.users.storeAvatar(id, file?.size ?? -1);
    }
  }
  return UploadsController;
}

/** Loses the async context before the rest of the request runs, as a careless middleware could. */
function loseContext(_req: unknown, _res: unknown, next: () => void): void {
  runUntraced(() => setImmediate(next));
}

/** A Nest middleware that throws, on `/errors/middleware`. */
function crashingMiddleware(): never {
  throw new Error('middleware crashed');
}

/** The app under test: controllers, providers and a context-losing middleware on `/context/lost`. */
export function usersModule(
  tracing: Type | object,
  platform: Platform,
  upstream: string,
): Type<NestModule> {
  const fileInterceptor = fileInterceptorOf(platform);
  @Module({
    imports: [tracing as Type],
    controllers: [
      UsersController,
      ErrorsController,
      ContextController,
      AlphaController,
      BetaController,
      ...(fileInterceptor ? [uploadsController(fileInterceptor)] : []),
    ],
    providers: [
      UsersRepository,
      UsersService,
      AuthGuard,
      { provide: UPSTREAM_URL, useValue: upstream },
    ],
  })
  class UsersModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(loseContext).forRoutes('context/lost');
      consumer.apply(crashingMiddleware).forRoutes('errors/middleware');
    }
  }
  return UsersModule;
}
