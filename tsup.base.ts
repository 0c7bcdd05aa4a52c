import type { Options } from 'tsup';

/**
 * The one build recipe every package uses: dual ESM + CJS with declarations for
 * each, so `import` and `require` both get types under node16 and bundler
 * resolution.
 */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    treeshake: true,
    splitting: true,
    // Keep `node:` specifiers: Deno and workerd (nodejs_compat) only resolve built-ins with the prefix.
    removeNodeProtocol: false,
    ...overrides,
  };
}
