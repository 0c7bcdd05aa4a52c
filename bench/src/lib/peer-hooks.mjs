// Module resolve hooks for the NestJS server process. In this workspace
// @tracewire/nestjs resolves its peers (@nestjs/*, rxjs) from its own
// devDependencies (Nest 12), while the bench app runs Nest 11; two copies of
// Nest break dependency injection (HttpAdapterHost is a different class). A user
// has one copy, so the adapter's peers are resolved from the bench, as they would
// be from the user's app.
const PEERS = /^(@nestjs\/[^/]+|rxjs|reflect-metadata)(\/|$)/;
let adaptersUrl = '';
let benchUrl = '';

export function initialize(data) {
  adaptersUrl = data.adaptersUrl;
  benchUrl = data.benchUrl;
}

export async function resolve(specifier, context, nextResolve) {
  if (PEERS.test(specifier) && context.parentURL?.startsWith(adaptersUrl)) {
    return nextResolve(specifier, { ...context, parentURL: benchUrl });
  }
  return nextResolve(specifier, context);
}
