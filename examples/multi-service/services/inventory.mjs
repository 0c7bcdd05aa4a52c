// Inventory: NestJS on platform-express, written in plain JavaScript, so decorators
// are applied as functions (what the TypeScript compiler would emit).
import 'reflect-metadata';
import { Controller, Get, Inject, Injectable, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Traced, TracingModule } from '@tracewire/nestjs';
import { port, ready, serviceTracer } from './tracer.mjs';

const tracer = serviceTracer('inventory');

class InventoryService {
  async stock(sku) {
    await new Promise((resolve) => setTimeout(resolve, 4));
    return { sku, available: sku.length * 3 };
  }

  async reserve(sku) {
    const { available } = await this.stock(sku);
    await new Promise((resolve) => setTimeout(resolve, 6));
    return { sku, reserved: 1, remaining: available - 1 };
  }
}
decorateMethod(InventoryService, 'stock', Traced('inventory.stock'));
decorateMethod(InventoryService, 'reserve', Traced('inventory.reserve'));
Injectable()(InventoryService);

class InventoryController {
  constructor(service) {
    this.service = service;
  }

  stock(sku) {
    return this.service.stock(sku);
  }

  reserve(sku) {
    return this.service.reserve(sku);
  }

  health() {
    return 'ok';
  }
}
Inject(InventoryService)(InventoryController, undefined, 0);
decorateMethod(InventoryController, 'stock', Get(':sku'));
Param('sku')(InventoryController.prototype, 'stock', 0);
decorateMethod(InventoryController, 'reserve', Post(':sku/reserve'));
Param('sku')(InventoryController.prototype, 'reserve', 0);
decorateMethod(InventoryController, 'health', Get('health'));
Controller('inventory')(InventoryController);

class AppModule {}
Module({
  imports: [TracingModule.forRoot({ tracer, ignore: ['/inventory/health'] })],
  controllers: [InventoryController],
  providers: [InventoryService],
})(AppModule);

function decorateMethod(target, name, decorator) {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, name);
  const result = decorator(target.prototype, name, descriptor);
  Object.defineProperty(target.prototype, name, result ?? descriptor);
}

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
const listenPort = port('PORT', 4104);
await app.listen(listenPort, '127.0.0.1');
ready('inventory', listenPort);
