import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/internal/args';
import { type CliOutcome, runCli } from '../src/internal/run-cli';
import { VERSION } from '../src/version';
import { demoCheckout, nativeBatch, post } from './helpers/demo';

const running: CliOutcome[] = [];
afterEach(async () => {
  for (const outcome of running.splice(0)) if ('server' in outcome) await outcome.server.close();
});

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const outcome = await runCli(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    colors: false,
  });
  running.push(outcome);
  return { outcome, out: () => stdout, err: () => stderr };
}

describe('tracewire CLI', () => {
  it('parses the dev options', () => {
    expect(
      parseCliArgs([
        'dev',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--file',
        'traces.jsonl',
        '--max-traces',
        '50',
        '--settle',
        '250',
        '--quiet',
      ]),
    ).toEqual({
      command: 'dev',
      options: {
        port: 0,
        host: '127.0.0.1',
        file: 'traces.jsonl',
        maxTraces: 50,
        settleMs: 250,
        quiet: true,
      },
    });
    expect(parseCliArgs(['dev'])).toEqual({ command: 'dev', options: {} });
    expect(parseCliArgs(['dev', '--max-bytes', '256mb', '--max-trace-bytes', '512KiB'])).toEqual({
      command: 'dev',
      options: { maxBytes: 256 * 1024 ** 2, maxTraceBytes: 512 * 1024 },
    });
    expect(parseCliArgs(['dev', '--max-bytes', '1G'])).toEqual({
      command: 'dev',
      options: { maxBytes: 1024 ** 3 },
    });
    expect(parseCliArgs(['dev', '--max-bytes', '5000'])).toEqual({
      command: 'dev',
      options: { maxBytes: 5000 },
    });
    for (const bad of ['12', 'lots', '1.5.2mb', '1tb', '']) {
      expect(() => parseCliArgs(['dev', '--max-bytes', bad]), bad).toThrow(/--max-bytes must be/);
    }
    expect(parseCliArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseCliArgs(['-v'])).toEqual({ command: 'version' });
  });

  it('explains usage mistakes and exits 2', async () => {
    for (const [argv, message] of [
      [[], /missing command/],
      [['serve'], /unknown command "serve"/],
      [['dev', '--port', 'http'], /--port must be a whole number from 0 to 65535/],
      [['dev', '--port', '70000'], /--port must be a whole number/],
      [['dev', '--max-traces', '0'], /--max-traces must be a whole number from 1/],
      [['dev', '--verbose'], /Unknown option '--verbose'/],
      [['dev', 'extra'], /unexpected argument "extra"/],
    ] as const) {
      const run = await cli([...argv]);
      expect(run.outcome).toEqual({ code: 2 });
      expect(run.err()).toMatch(message);
      expect(run.err()).toContain('Usage: tracewire dev [options]');
    }
  });

  it('prints help and the version', async () => {
    const help = await cli(['--help']);
    expect(help.outcome).toEqual({ code: 0 });
    expect(help.out()).toContain('--max-traces <n>');
    expect(help.out()).toContain('--max-bytes <size>');
    expect(help.out()).toContain('OTLP/HTTP (protobuf or JSON)');
    const version = await cli(['--version']);
    expect(version.out()).toBe(`${VERSION}\n`);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });

  it('starts the collector, prints where to send, and prints finished traces', async () => {
    const run = await cli(['dev', '--port', '0', '--settle', '20']);
    if (!('server' in run.outcome)) throw new Error(run.err());
    const { server } = run.outcome;
    expect(run.out()).toContain(`viewer      ${server.url}/`);
    expect(run.out()).toContain(`POST ${server.url}/v1/tracewire`);
    expect(run.out()).toContain(`OTLP/HTTP   POST ${server.url}/v1/traces`);
    expect(run.out()).toContain('protobuf or JSON, plain or gzip');

    const demo = demoCheckout();
    await post(`${server.url}/v1/tracewire`, nativeBatch(demo.parts));
    await server.store.waitFor((t) => t.finished);
    expect(run.out()).toContain('[payments] POST /charge');
    expect(run.out()).toContain(`${server.url}/trace/${demo.traceId}`);
  });

  it('exits 1 with advice when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await cli(['dev', '--port', String(port), '--quiet']);
      expect(run.outcome).toEqual({ code: 1 });
      expect(run.err()).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(run.err()).toContain('--port');
    } finally {
      blocker.close();
    }
  });
});
