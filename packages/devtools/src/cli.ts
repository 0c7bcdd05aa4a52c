#!/usr/bin/env node
import type { DevServer } from './dev-server';
import { runCli } from './internal/run-cli';

function keepRunning(server: DevServer): void {
  let stopping = false;
  const stop = () => {
    // A second Ctrl+C while closing means "now".
    if (stopping) process.exit(130);
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

runCli(process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
}).then(
  (outcome) => {
    if ('code' in outcome) process.exitCode = outcome.code;
    else keepRunning(outcome.server);
  },
  (error: unknown) => {
    process.stderr.write(`tracewire: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
