import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/*
 * Finding a package the app installed but core does not depend on (the OTLP
 * exporter, configured through the environment). The edge build
 * (`app-import.edge.ts`) has no node_modules to look in.
 */

/** Whether `specifier` resolves from core or from the app, as `importFromApp()` would find it. */
export function resolvableFromApp(specifier: string): boolean {
  const bases = [
    typeof __filename === 'string' ? __filename : undefined,
    process.argv[1],
    join(process.cwd(), 'package.json'),
  ];
  for (const base of bases) {
    if (typeof base !== 'string' || base === '') continue;
    try {
      createRequire(base).resolve(specifier);
      return true;
    } catch {
      // Try the next place.
    }
  }
  return false;
}

/**
 * Imports a package the application installed but core does not depend on: from
 * core's own location first, then from the app's (the entry script's folder and the
 * working directory), since strict layouts such as pnpm's hide undeclared packages
 * from core.
 */
export async function importFromApp(specifier: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (first) {
    const bases = [process.argv[1], join(process.cwd(), 'package.json')].filter(
      (base): base is string => typeof base === 'string' && base !== '',
    );
    for (const base of bases) {
      try {
        const resolved = createRequire(base).resolve(specifier);
        return await import(pathToFileURL(resolved).href);
      } catch {
        // Try the next place.
      }
    }
    throw first;
  }
}

/** A process warning with `code`. */
export function warn(message: string, code: string): void {
  process.emitWarning(message, { code });
}
