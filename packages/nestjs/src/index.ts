export { CurrentSpan, CurrentTrace } from './param-decorators';
export { Traced } from './traced';
export { InjectTracer, TRACER } from './tracer-token';
export { TracingInterceptor } from './tracing-interceptor';
export {
  TracingModule,
  type TracingModuleAsyncOptions,
  type TracingModuleOptions,
} from './tracing-module';
