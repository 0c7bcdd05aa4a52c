import { parseArgs } from 'node:util';
import type { DevServerOptions } from '../dev-server';

export const USAGE = `Usage: tracewire dev [options]

Starts a local collector and live trace viewer. Services send traces to it:
tracewire's native JSON on /v1/tracewire, OTLP/HTTP (protobuf or JSON) on
/v1/traces and /v1/logs, each plain or gzip. Each request is assembled across
services, printed as a waterfall and shown at /. Web pages on other origins
cannot send.

Options:
  --port <n>         port to listen on (default 4318; 0 picks a free port)
  --host <address>   address to listen on (default 127.0.0.1)
  --file <path>      append received traces to this JSON Lines file, and load it on start
  --max-traces <n>   traces kept in memory, the oldest evicted first (default 1000)
  --max-bytes <size> memory for traces and logs (their JSON size), the oldest
                     evicted first (default 256mb; also kb, gb or plain bytes)
  --max-trace-bytes <size>
                     largest one trace may grow; past it the trace is shown
                     truncated (default 16mb)
  --settle <ms>      quiet time after a trace's last part before it is printed (default 1000)
  --quiet            do not print a waterfall per trace
  -h, --help         show this help
  -v, --version      print the version
`;

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type CliCommand =
  | { command: 'dev'; options: DevServerOptions }
  | { command: 'help' }
  | { command: 'version' };

/**
 * Parses `tracewire` arguments.
 *
 * @example
 * parseCliArgs(['dev', '--port', '0', '--quiet']);
 * // { command: 'dev', options: { port: 0, quiet: true } }
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('missing command; did you mean `tracewire dev`?');
  if (command !== 'dev')
    throw new UsageError(
      `unknown command ${JSON.stringify(command)}; the command is \`tracewire dev\``,
    );
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);

  const options: DevServerOptions = {};
  if (values.port !== undefined) options.port = integer('--port', values.port, 0, 65535);
  if (values.host !== undefined) {
    if (values.host === '') throw new UsageError('--host needs an address, such as 127.0.0.1');
    options.host = values.host;
  }
  if (values.file !== undefined) {
    if (values.file === '') throw new UsageError('--file needs a path, such as traces.jsonl');
    options.file = values.file;
  }
  if (values['max-traces'] !== undefined) {
    options.maxTraces = integer('--max-traces', values['max-traces'], 1, Number.MAX_SAFE_INTEGER);
  }
  if (values['max-bytes'] !== undefined) {
    options.maxBytes = byteSize('--max-bytes', values['max-bytes']);
  }
  if (values['max-trace-bytes'] !== undefined) {
    options.maxTraceBytes = byteSize('--max-trace-bytes', values['max-trace-bytes']);
  }
  if (values.settle !== undefined) {
    options.settleMs = integer('--settle', values.settle, 0, 3_600_000);
  }
  if (values.quiet) options.quiet = true;
  return { command: 'dev', options };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      file: { type: 'string' },
      'max-traces': { type: 'string' },
      'max-bytes': { type: 'string' },
      'max-trace-bytes': { type: 'string' },
      settle: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `256mb`, `512KiB`, `1g` or plain bytes; binary units, at least 1 KiB. */
function byteSize(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  const value = match ? Math.floor(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1024) {
    throw new UsageError(
      `${flag} must be a size of at least 1kb, such as 256mb, 512kb or 1gb, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
