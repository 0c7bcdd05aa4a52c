// A throwaway PostgreSQL server for tests and the demo: `initdb` in a temp dir,
// `pg_ctl start` on 127.0.0.1 and a free port (as the `postgres` user when run
// as root), `stop()` removes it all. Uses Debian's `postgresql` package
// (scripts/setup.sh installs it where apt exists) or initdb/pg_ctl on PATH.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The directory holding `initdb` and `pg_ctl`, or undefined when PostgreSQL is not installed. */
export function findPostgresBin() {
  const candidates = [];
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(join(debian, version, 'bin'));
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  return candidates.find(
    (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')),
  );
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a PostgreSQL server for this process. Resolves to its connection
 * settings and `stop()`, or to `undefined` (with `reason`) when PostgreSQL is not
 * installed and `required` is false; with `required` (the default when CI=true)
 * a missing install is an error, so CI never skips these tests silently.
 *
 * @param {{ required?: boolean }} [options]
 */
export async function startPostgres(options = {}) {
  const required = options.required ?? process.env.CI === 'true';
  const bin = findPostgresBin();
  if (bin === undefined) {
    const reason =
      'PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH); install it with `apt-get install postgresql` (scripts/setup.sh does where apt exists).';
    if (required) throw new Error(reason);
    return { available: false, reason };
  }
  const dir = await mkdtemp(join(tmpdir(), 'tracewire-pg-'));
  const data = join(dir, 'data');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // PostgreSQL refuses to run as root: the cluster belongs to the `postgres` user.
  const exec = (file, args) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, file), ...args], { cwd: dir })
      : run(join(bin, file), args, { cwd: dir });
  try {
    if (asRoot) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await exec('initdb', [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const port = await freePort();
    await exec('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-k ${dir} -h 127.0.0.1 -p ${port} -F`,
      '-w',
      '-t',
      '30',
      'start',
    ]);
    let stopped = false;
    return {
      available: true,
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'postgres',
      connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async stop() {
        if (stopped) return;
        stopped = true;
        await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await exec('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
