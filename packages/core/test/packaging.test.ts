import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

/** Every published package of the repository, new ones included. */
const published = readdirSync(packagesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${packagesDir}${entry.name}/package.json`))
  .map((entry) => ({
    dir: entry.name,
    manifest: JSON.parse(readFileSync(`${packagesDir}${entry.name}/package.json`, 'utf8')),
  }))
  .filter(({ manifest }) => manifest.private !== true);

describe.each(published)('packages/$dir', ({ dir, manifest }) => {
  it('ships a LICENSE matching its license field', () => {
    expect(manifest.license).toBe('MIT');
    expect(manifest.files).toContain('LICENSE');
    expect(readFileSync(`${packagesDir}${dir}/LICENSE`, 'utf8')).toMatch(/^MIT License/);
  });

  it('says where it comes from: repository, homepage, bugs', () => {
    expect(manifest.repository).toMatchObject({ type: 'git', directory: `packages/${dir}` });
    expect(manifest.repository.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
    expect(manifest.homepage).toContain(`packages/${dir}`);
    expect(manifest.bugs?.url).toMatch(/\/issues$/);
  });
});
