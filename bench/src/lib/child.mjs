import { spawn } from 'node:child_process';
import { pinned } from './env.mjs';

/**
 * A node script in its own process (optionally pinned to one CPU with taskset),
 * talked to over the IPC channel: `call(type)` sends `{ type }` and resolves with
 * the child's `{ type, ... }` answer.
 *
 * @example const server = await startChild({ node, script, args, cpu: 1, pin: true });
 * const { port } = await server.ready;
 */
export function startChild({ node, script, args = [], cpu, pin, execArgv = [], env }) {
  const command = [...pinned(cpu, pin), node, ...execArgv, script, ...args];
  const child = spawn(command[0], command.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const waiters = new Map();
  let exited = false;
  let exitInfo;
  const exitedPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      exitInfo = { code, signal };
      for (const [, w] of waiters) w.reject(new Error(`${script} exited (${code ?? signal})`));
      waiters.clear();
      resolve(exitInfo);
    });
  });
  child.on('message', (message) => {
    const waiter = waiters.get(message?.type);
    if (waiter) {
      waiters.delete(message.type);
      waiter.resolve(message);
    }
  });
  const expect = (type, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      if (exited)
        return reject(new Error(`${script} already exited (${JSON.stringify(exitInfo)})`));
      const timer = setTimeout(() => {
        waiters.delete(type);
        reject(new Error(`${script}: no '${type}' answer within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.set(type, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  const ready = expect('ready', 60_000);
  // Whoever awaits `ready` sees the failure; nobody awaiting it must not crash the driver.
  ready.catch(() => {});
  return {
    child,
    ready,
    exited: exitedPromise,
    expect,
    async call(type, payload = {}, timeoutMs) {
      const answer = expect(type, timeoutMs);
      child.send({ type, ...payload });
      return answer;
    },
    /** Asks the child to stop, then kills it if it has not exited in time. */
    async stop(timeoutMs = 10_000) {
      if (exited) return exitInfo;
      try {
        child.send({ type: 'stop' });
      } catch {}
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const info = await exitedPromise;
      clearTimeout(timer);
      return info;
    },
  };
}

/** Runs a child to completion and resolves with the one `result` message it sends. */
export async function runToResult(options, timeoutMs) {
  const child = startChild(options);
  const result = child.expect('result', timeoutMs);
  try {
    await child.ready;
    child.child.send({ type: 'go' });
    return await result;
  } finally {
    await child.stop(5_000);
  }
}
