import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { REGISTER_PATHS } from './paths';

/** A port that was free a moment ago on the loopback interface. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** A Node process of the build (`node -r scripts/register-paths.js entry`), its output in a log file. */
export interface NodeProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** when it was spawned (process.hrtime.bigint()) */
  startedAt: bigint;
  logFile: string;
  /** the end of its log, for an error message */
  logTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited */
  stop(graceMs?: number): Promise<void>;
}

export function spawnNode(
  entry: string,
  env: Record<string, string>,
  logFile: string,
  port: number,
): NodeProcess {
  const log = openSync(logFile, 'a');
  const startedAt = process.hrtime.bigint();
  const child = spawn(process.execPath, ['-r', REGISTER_PATHS, entry], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    startedAt,
    logFile,
    logTail: () => readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n'),
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killed = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(killed);
      }
    },
  };
}

/**
 * Waits until `path` answers below 500 (or `accept` says so), checking every 100 ms; throws with the
 * process's log when it exits or `timeoutMs` passes.
 */
export async function waitForAnswer(
  processToWatch: NodeProcess,
  path: string,
  timeoutMs = 60_000,
  accept: (response: Response) => boolean = (response) => response.status < 500,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (processToWatch.child.exitCode !== null) {
      throw new Error(
        `the process exited with ${processToWatch.child.exitCode}:\n${processToWatch.logTail()}`,
      );
    }
    try {
      const response = await fetch(`${processToWatch.url}${path}`, { signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      if (accept(response)) return;
    } catch {
      // not listening yet, or busy
    }
    if (Date.now() > deadline) {
      throw new Error(`${path} did not answer within ${timeoutMs / 1000} s:\n${processToWatch.logTail()}`);
    }
    await sleep(100);
  }
}
