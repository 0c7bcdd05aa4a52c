// The edge build: a bundled worker has no node_modules to find a package in
// later, so only what the bundle registered (`import '@tracewire/otlp'`) counts.

/** Always false: nothing outside the bundle can be loaded. */
export function resolvableFromApp(_specifier: string): boolean {
  return false;
}

export function importFromApp(specifier: string): Promise<unknown> {
  return Promise.reject(
    new Error(`${specifier} is not part of the bundle; import it in the worker's entry`),
  );
}

/** A warning on the console (fetch runtimes have no `process.emitWarning`). */
export function warn(message: string, code: string): void {
  console.warn(`(${code}) ${message}`);
}
