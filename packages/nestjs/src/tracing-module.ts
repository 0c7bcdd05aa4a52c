import {
  type DynamicModule,
  Inject,
  type InjectionToken,
  type MiddlewareConsumer,
  Module,
  type ModuleMetadata,
  type NestModule,
  type OptionalFactoryDependency,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, HttpAdapterHost } from '@nestjs/core';
import {
  type HttpServerTracing,
  type HttpTracingOptions,
  httpServerTracing,
} from '@tracewire/core';
import { routeFromFastify, tracingMiddleware } from './internal/middleware';
import { TracingGuard } from './internal/tracing-guard';
import { TRACER } from './tracer-token';
import { TracingInterceptor } from './tracing-interceptor';

/** Options of `TracingModule.forRoot()`: core's `HttpTracingOptions`, and `interceptor`. */
export interface TracingModuleOptions extends HttpTracingOptions {
  /**
   * Register `TracingInterceptor` globally. Default true: it records what the
   * handler, its pipes and later interceptors throw, with message and stack.
   * Any interceptor puts every request through Nest's RxJS pipeline, which on
   * the project's benchmark costs about as much as the rest of tracing
   * together; `false` registers a guard instead, which names the span and
   * records the controller method the same way, but records a failed request
   * by its status alone (`HTTP 500`), without the exception.
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
const HTTP_TRACING = Symbol('tracewire.nestjs.http-tracing');

/**
 * Traces every HTTP request from the moment it enters Nest: a middleware opens
 * the trace (so guards, pipes, interceptors and the handler all run inside it)
 * and a global interceptor names it by route template. Global; provides the
 * `Tracer` as `TRACER` (`@InjectTracer()`).
 *
 * @example
 * @Module({
 *   imports: [TracingModule.forRoot({ tracer: createTracer({ serviceName: 'api' }) })],
 *   controllers: [UsersController],
 * })
 * export class AppModule {}
 */
@Module({})
export class TracingModule implements NestModule {
  constructor(
    @Inject(HTTP_TRACING) private readonly http: HttpServerTracing,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Traces with these options (default: the default tracer, configured from the environment). */
  static forRoot(options: TracingModuleOptions = {}): DynamicModule {
    // Built here so that a mistake in the options fails where they are written.
    const http = httpServerTracing(options);
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
    const providers: Provider[] = [
      { provide: OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
      {
        provide: HTTP_TRACING,
        useFactory: (resolved: TracingModuleOptions | undefined) => {
          // Too late to choose providers here; silently ignoring it would hide the mistake.
          if (resolved?.interceptor !== undefined) {
            throw new TypeError(
              'tracewire: TracingModule.forRootAsync() takes `interceptor` next to `useFactory`, not from the factory: forRootAsync({ interceptor: false, useFactory }).',
            );
          }
          return httpServerTracing(resolved ?? {});
        },
        inject: [OPTIONS],
      },
    ];
    return tracingModule(providers, options.imports, options.interceptor);
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(tracingMiddleware(this.http)).forRoutes('*');
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
  interceptor: boolean | undefined = true,
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
    exports: [TRACER],
  };
}
