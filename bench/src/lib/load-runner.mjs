import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runToResult } from './child.mjs';
import { onPath, pinned } from './env.mjs';

const LOAD_SCRIPT = fileURLToPath(new URL('../load.mjs', import.meta.url));

/** `auto` picks wrk when it is installed (it is not required), else autocannon. */
export function pickLoadTool(choice) {
  if (choice === 'auto') return onPath('wrk') ? 'wrk' : 'autocannon';
  if (choice === 'wrk' && !onPath('wrk')) {
    throw new Error(
      '--load wrk: wrk is not installed (apt-get install wrk), or use --load autocannon',
    );
  }
  if (choice !== 'wrk' && choice !== 'autocannon') {
    throw new Error(`--load must be auto, wrk or autocannon (got ${choice})`);
  }
  return choice;
}

/**
 * Puts load on `url` from its own process, pinned to `cpu`, for `duration`
 * seconds or `amount` requests (autocannon only), and resolves with
 * `{ requests, seconds, rps, latencyMs: { p50, p99 }, non2xx, errors }`.
 *
 * @example await runLoad({ tool: 'wrk', url, duration: 5, connections: 50, cpu: 0, pin: true })
 */
export async function runLoad({ tool, url, duration, amount, connections, cpu, pin, node }) {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error(`load only against 127.0.0.1, not ${url}`);
  if (tool === 'wrk') {
    if (amount) throw new Error('wrk runs for a duration; use autocannon for a request count');
    return runWrk({ url, duration, connections, cpu, pin });
  }
  // Bounded either way: a request count still gets a time cap.
  // A request count is capped as if the server managed only 500 req/s.
  const capMs = amount ? Math.max(120_000, amount * 2) : duration * 1000 + 60_000;
  return runToResult(
    {
      node,
      script: LOAD_SCRIPT,
      args: [JSON.stringify({ url, duration, amount, connections })],
      cpu,
      pin,
    },
    capMs,
  );
}

function runWrk({ url, duration, connections, cpu, pin }) {
  const command = [
    ...pinned(cpu, pin),
    'wrk',
    '-t1',
    `-c${connections}`,
    `-d${duration}s`,
    '--timeout',
    '10s',
    '--latency',
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      command[0],
      command.slice(1),
      { timeout: (duration + 30) * 1000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`wrk failed: ${error.message}\n${stderr}`));
        try {
          resolve(parseWrk(stdout));
        } catch (parseError) {
          reject(parseError);
        }
      },
    );
  });
}

/** Reads wrk's `--latency` report. */
export function parseWrk(text) {
  const requests = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(text);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!requests || !rps) throw new Error(`could not read wrk output:\n${text}`);
  const percentile = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return m ? toMs(Number(m[1]), m[2]) : Number.NaN;
  };
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    tool: 'wrk',
    requests: Number(requests[1]),
    seconds: toMs(Number(requests[2]), requests[3]) / 1000,
    rps: Number(rps[1]),
    latencyMs: { p50: percentile(50), p99: percentile(99) },
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    errors: socket ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) : 0,
    timeouts: socket ? Number(socket[4]) : 0,
  };
}

function toMs(value, unit) {
  if (unit === 'us') return value / 1000;
  if (unit === 's') return value * 1000;
  if (unit === 'm') return value * 60_000;
  return value;
}
