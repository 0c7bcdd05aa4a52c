import { type DevServer, startDevServer } from '../dev-server';
import { VERSION } from '../version';
import { parseCliArgs, USAGE, UsageError } from './args';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether standard output takes ANSI colours. */
  colors?: boolean;
}

/** How a CLI run ended: an exit code, or a collector left running. */
export type CliOutcome = { code: number } | { server: DevServer };

/**
 * The whole `tracewire` command, minus the process: argument errors exit 2,
 * startup failures exit 1, and `dev` returns the running collector.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<CliOutcome> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`tracewire: ${error.message}\n\n${USAGE}`);
    return { code: 2 };
  }
  if (parsed.command === 'help') {
    io.stdout(USAGE);
    return { code: 0 };
  }
  if (parsed.command === 'version') {
    io.stdout(`${VERSION}\n`);
    return { code: 0 };
  }

  let server: DevServer;
  try {
    server = await startDevServer({
      ...parsed.options,
      write: io.stdout,
      ...(io.colors === undefined ? {} : { colors: io.colors }),
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    return { code: 1 };
  }
  io.stdout(banner(server, parsed.options.file));
  return { server };
}

function banner(server: DevServer, file: string | undefined): string {
  const { url } = server;
  const lines = [
    `tracewire dev ${VERSION}  collecting on ${url}`,
    '',
    `  viewer      ${url}/`,
    `  native      POST ${url}/v1/tracewire   (httpExporter: JSON, plain or gzip)`,
    `  OTLP/HTTP   POST ${url}/v1/traces  ${url}/v1/logs   (protobuf or JSON, plain or gzip)`,
  ];
  if (file !== undefined) {
    lines.push(`  file        ${file}  (${server.store.list().length} traces loaded)`);
  }
  lines.push('', 'Waiting for traces. Ctrl+C to stop.', '');
  return `${lines.join('\n')}\n`;
}
