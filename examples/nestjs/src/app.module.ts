import { type DynamicModule, type INestApplication, Module, VersioningType } from '@nestjs/common';
import type { Tracer } from '@tracewire/core';
import { TracingModule } from '@tracewire/nestjs';
import { HealthController } from './health.controller.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [UsersController, HealthController],
  providers: [UsersRepository, UsersService],
})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module is a class; tracedBy() is its dynamic form
export class AppModule {
  static tracedBy(tracer: Tracer): DynamicModule {
    return {
      module: AppModule,
      imports: [TracingModule.forRoot({ tracer, ignore: ['/api/health'] })],
    };
  }
}

/** Routes live under `/api`, users under `/api/v1`. */
export function configureApp(app: INestApplication): INestApplication {
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI });
  return app;
}
