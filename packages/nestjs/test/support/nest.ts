import type { INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import nestCorePackage from '@nestjs/core/package.json';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { ContractApp } from '@tracewire/core/testing';

/** The Nest major these tests run on (test/nest11.test.ts reruns them on Nest 11). */
export const nestMajor = Number(nestCorePackage.version.split('.')[0]);

export const platforms = ['express', 'fastify'] as const;
export type Platform = (typeof platforms)[number];

export function adapterFor(platform: Platform): AbstractHttpAdapter {
  return platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
}

/** Listens on a random port of 127.0.0.1 and reads the URL back from Nest. */
export async function listen(app: INestApplication): Promise<ContractApp> {
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    url,
    close: async () => {
      app.getHttpServer().closeAllConnections?.();
      await app.close();
    },
  };
}
