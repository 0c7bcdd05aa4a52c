import { runAdapterContract } from '@tracewire/core/testing';
import { contractApp, koaMajors, listen } from './helpers';

for (const [name, KoaClass] of koaMajors) {
  runAdapterContract(`${name} + @koa/router`, async ({ options, installs }) =>
    listen(contractApp(KoaClass, options, installs)),
  );
}
