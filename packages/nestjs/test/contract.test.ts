import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { runAdapterContract } from '@tracewire/core/testing';
import { TracingModule } from '@tracewire/nestjs';
import { ContractController } from './support/contract-app';
import { adapterFor, listen, nestMajor, platforms } from './support/nest';

for (const platform of platforms) {
  runAdapterContract(`nestjs ${nestMajor} (${platform})`, async ({ options }) => {
    @Module({ imports: [TracingModule.forRoot(options)], controllers: [ContractController] })
    class ContractModule {}
    const app = await NestFactory.create(ContractModule, adapterFor(platform), {
      logger: false,
      abortOnError: false,
    });
    return listen(app);
  });
}
