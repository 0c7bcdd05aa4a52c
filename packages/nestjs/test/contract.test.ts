import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { runAdapterContract } from '@tracewire/core/testing';
import { TracingInterceptor, TracingModule } from '@tracewire/nestjs';
import { ContractController } from './support/contract-app';
import { adapterFor, listen, nestMajor, platforms } from './support/nest';

for (const platform of platforms) {
  runAdapterContract(`nestjs ${nestMajor} (${platform})`, async ({ options, installs = 1 }) => {
    @Module({ imports: [TracingModule.forRoot(options)], controllers: [ContractController] })
    class ContractModule {}
    const app = await NestFactory.create(ContractModule, adapterFor(platform), {
      logger: false,
      abortOnError: false,
    });
    // Installed twice, the Nest way: the module, and the interceptor on its own as well.
    if (installs > 1) app.useGlobalInterceptors(new TracingInterceptor(options));
    return listen(app);
  });
}
