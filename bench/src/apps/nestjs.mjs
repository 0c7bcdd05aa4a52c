// NestJS 11 on @nestjs/platform-express: GET /users/:id in every variant. Plain
// JavaScript: decorators are applied with Reflect.decorate, as TypeScript's
// compiled output does, so the bench needs no build step. Loaded with require()
// so OpenTelemetry's require hooks (set up before this runs) can patch Nest.
import { createRequire } from 'node:module';
import { als, alsStore, findUser, requireStore } from './shared.mjs';

const require = createRequire(import.meta.url);

/** Starts the app for `variant`; resolves with the listening `http.Server`. */
export async function start(variant, deps) {
  require('reflect-metadata');
  const { Controller, Get, Module, Param, Req } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { ExpressAdapter } = require('@nestjs/platform-express');

  const imports = [];
  let CurrentSpan;
  if (variant === 'tracewire' || variant === 'tracewire-nocontext') {
    const nest = await import('@tracewire/nestjs');
    imports.push(
      nest.TracingModule.forRoot({ tracer: deps.tracer, interceptor: deps.nestjsInterceptor }),
    );
    CurrentSpan = nest.CurrentSpan;
  }

  class UsersController {}
  const handler = handlerFor(variant, deps);
  Object.defineProperty(handler, 'name', { value: 'get' });
  Object.defineProperty(UsersController.prototype, 'get', {
    value: handler,
    writable: true,
    configurable: true,
  });
  const method = Object.getOwnPropertyDescriptor(UsersController.prototype, 'get');
  Reflect.decorate([Get(':id')], UsersController.prototype, 'get', method);
  Param('id')(UsersController.prototype, 'get', 0);
  if (variant === 'tracewire-nocontext') CurrentSpan()(UsersController.prototype, 'get', 1);
  if (variant === 'floor') Req()(UsersController.prototype, 'get', 1);
  Reflect.decorate([Controller('users')], UsersController);

  class AppModule {}
  Reflect.decorate([Module({ imports, controllers: [UsersController] })], AppModule);

  const app = await NestFactory.create(AppModule, new ExpressAdapter(), {
    logger: ['error'],
    abortOnError: false,
  });
  if (variant === 'als') {
    app.use((req, _res, next) => als.run(alsStore(req.method, req.url), next));
  }
  if (variant === 'floor') {
    app.use(deps.floor.expressMiddleware());
  }
  await app.listen(0, '127.0.0.1');
  return app.getHttpServer();
}

function handlerFor(variant, { span, otel, floor }) {
  switch (variant) {
    case 'bare':
      return async (id) => findUser(id);
    case 'als':
      return async (id) => {
        requireStore();
        return findUser(id);
      };
    case 'tracewire':
      return async (id) => span('db.lookup', () => findUser(id));
    case 'tracewire-nocontext':
      return async (id, serverSpan) => {
        const child = serverSpan.startSpan('db.lookup');
        const user = await findUser(id);
        child.end();
        return user;
      };
    case 'floor':
      return async (id, req) => floor.child(req.res.locals.floor, () => findUser(id));
    case 'otel':
      return async (id) => otel.lookup(() => findUser(id));
    default:
      throw new Error(`nestjs: unknown variant ${variant}`);
  }
}
