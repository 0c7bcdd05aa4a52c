import { fileURLToPath } from 'node:url';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

/**
 * Tests run against sources: `@tracewire/<pkg>` resolves to `packages/<pkg>/src`,
 * and `@tracewire/<pkg>/<sub>` to `packages/<pkg>/src/<sub>`, so `pnpm test`
 * never waits for a build.
 */
export const sourceAliases = [
  { find: /^@tracewire\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
  { find: /^@tracewire\/([a-z-]+)\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/$2/index.ts` },
];

export function tracewireProject(name: string, config: UserWorkspaceConfig = {}) {
  return defineProject({
    ...config,
    resolve: { ...config.resolve, alias: [...sourceAliases] },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      testTimeout: 20_000,
      hookTimeout: 20_000,
      ...config.test,
    },
  });
}
