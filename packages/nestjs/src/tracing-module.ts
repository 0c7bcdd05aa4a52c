import {
  type DynamicModule,
  Inject,
  type InjectionToken,
  type MiddlewareConsumer,
  Module,
  type ModuleMetadata,
  type NestModule,
  type OnModuleInit,
  type OptionalFactoryDependency,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, HttpAdapterHost } from '@nestjs/core';
import type { HttpTracingOptions } from '@tracewire/core';
import { checkOptions, type HttpServerTracing, httpServerTracing, is } from '@tracewire/core/http';
import { installExceptionsHook } from './internal/exceptions-hook';
import { routeFromFastify, tracingMiddleware } from './internal/middleware';
import { HTTP_TRACING } from './internal/tokens';
import { TracingGuard } from './internal/tracing-guard';
import { TRACER } from './tracer-token';
import { TracingInterceptor } from './tracing-interceptor';

/** Options of `TracingModule.forRoot()`: core's `HttpTracingOptions`, and `interceptor`. */
export interface TracingModuleOptions extends HttpTracingOptions {
  /**
   * Register `TracingInterceptor` globally instead of the default guard.
   * Default false. Both name the span by route and record the controller
   * method, and the module sees what guards, pipes and the handler throw
   * either way. What the interceptor adds: it wraps the handler, so it gives
   * the handler its trace back even after an async global guard that ran
   * before it in a context something had lost. What it costs: any interceptor
   * puts every request through Nest's RxJS pipeline, which on the project's
   * benchmark costs about as much as the rest of tracing together.
   */
  interceptor?: boolean;
}

/** Options of `TracingModule.forRootAsync()`, for options that come from other providers. */
export interface TracingModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** As `TracingModuleOptions.interceptor`; here, because it decides which providers exist. */
  interceptor?: boolean;
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  /** `interceptor` is not among what it returns: it goes next to `useFactory`. */
  useFactory: (...args: any[]) => HttpTracingOptions | Promise<HttpTracingOptions>;
}

const OPTIONS = Symbol('tracewire.nestjs.options');

/** The module's own option, beside core's, for the options check. */
const MODULE_OPTIONS = { interceptor: is.boolean };

const ASYNC_OPTIONS = {
  imports: { expected: 'an array of modules', test: Array.isArray },
  inject: { expected: 'an array of injection tokens', test: Array.isArray },
  useFactory: is.function,
  interceptor: is.boolean,
};

/**
 * Traces every HTTP request from the moment it enters Nest: a middleware opens
 * the trace (so guards, pipes, interceptors and the handler all run inside it),
 * a global guard names it by route template, and a hook on Nest's exception
 * handling records what the request threw. Global; provides the `Tracer` as
 * `TRACER` (`@InjectTracer()`).
 *
 * @example
 * @Module({
 *   imports: [TracingModule.forRoot({ tracer: createTracer({ serviceName: 'api' }) })],
 *   controllers: [UsersController],
 * })
 * export class AppModule {}
 */
@Module({})
export class TracingModule implements NestModule, OnModuleInit {
  constructor(
    @Inject(HTTP_TRACING) private readonly http: HttpServerTracing,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Traces with these options (default: the default tracer, configured from the environment). */
  static forRoot(options: TracingModuleOptions = {}): DynamicModule {
    // Built here so that a mistake in the options fails where they are written.
    const http = httpServerTracing(options, MODULE_OPTIONS);
    return tracingModule([{ provide: HTTP_TRACING, useValue: http }], [], options.interceptor);
  }

  /**
   * Traces with options made by a factory, e.g. from a config service.
   *
   * @example
   * TracingModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ tracer: createTracer({ serviceName: config.get('SERVICE') }) }),
   * })
   */
  static forRootAsync(options: TracingModuleAsyncOptions): DynamicModule {
    if (
      options === null ||
      typeof options !== 'object' ||
      typeof options.useFactory !== 'function'
    ) {
      throw new TypeError(
        'tracewire: TracingModule.forRootAsync() takes { useFactory, inject?, imports? }, e.g. forRootAsync({ inject: [ConfigService], useFactory: (config) => ({ tracer }) }).',
      );
    }
    checkOptions('TracingModule.forRootAsync()', options, ASYNC_OPTIONS);
    const providers: Provider[] = [
      { provide: OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
      {
        provide: HTTP_TRACING,
        useFactory: (resolved: TracingModuleOptions | undefined) => {
          // Too late to choose providers here; silently ignoring it would hide the mistake.
          if (resolved?.interceptor !== undefined) {
            throw new TypeError(
              'tracewire: TracingModule.forRootAsync() takes `interceptor` next to `useFactory`, not from the factory: forRootAsync({ interceptor: true, useFactory }).',
            );
          }
          return httpServerTracing(resolved ?? {});
        },
        inject: [OPTIONS],
      },
    ];
    return tracingModule(providers, options.imports, options.interceptor);
  }

  /** Before the app serves anything: hook Nest's exception handling (once per process). */
  async onModuleInit(): Promise<void> {
    await installExceptionsHook();
  }

  configure(consumer: MiddlewareConsumer): void {
    // `{*path}`: every path, root included, in the syntax of path-to-regexp 8 (Express 5 and
    // middie 9); `'*'` under a global prefix (`/api/*`) makes Nest log an unsupported route.
    consumer.apply(tracingMiddleware(this.http)).forRoutes('{*path}');
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() === 'fastify') {
      // Fastify's matched route is on its own request object, which middleware
      // never sees; this hook runs after it for every routed request, so even one
      // a guard rejects is named by its route.
      adapter.getInstance().addHook('onRequest', routeFromFastify);
    }
  }
}

function tracingModule(
  providers: Provider[],
  imports: ModuleMetadata['imports'] = [],
  interceptor: boolean | undefined = false,
): DynamicModule {
  if (typeof interceptor !== 'boolean') {
    throw new TypeError('tracewire: TracingModule option `interceptor` must be true or false.');
  }
  return {
    module: TracingModule,
    global: true,
    imports,
    providers: [
      ...providers,
      {
        provide: TRACER,
        useFactory: (http: HttpServerTracing) => http.tracer,
        inject: [HTTP_TRACING],
      },
      interceptor
        ? { provide: APP_INTERCEPTOR, useClass: TracingInterceptor }
        : { provide: APP_GUARD, useClass: TracingGuard },
    ],
    exports: [TRACER, HTTP_TRACING],
  };
}
