import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BENCH_SOURCE } from '../paths';

/*
 * Emmett, the peer the `peers` rows compare with: dev dependencies of bench/ only (bench/package.json),
 * installed into bench/node_modules by the bench itself when missing, so the root `npm ci` (and CI) never
 * installs them. Loaded at run time from there; the types below are the little of its API the bench uses.
 */

export interface EmmettEvent {
  type: string;
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export type EmmettHandle<State> = (
  store: unknown,
  streamId: string,
  decide: (state: State) => EmmettEvent[],
) => Promise<unknown>;

export interface Emmett {
  CommandHandler<State>(options: {
    evolve(state: State, event: EmmettEvent): State;
    initialState(): State;
  }): EmmettHandle<State>;
}

export interface EmmettSqlite {
  sqliteConnection(options: { fileName: string }): { close(): void };
  getSQLiteEventStore(options: {
    fileName: string;
    connectionOptions?: { singleton: true; connection: unknown };
  }): unknown;
}

export interface EmmettPostgres {
  getPostgreSQLEventStore(connectionString: string): { close(): Promise<void> };
}

export interface EmmettPeers {
  emmett: Emmett;
  sqlite: EmmettSqlite;
  postgres: EmmettPostgres;
  versions: { emmett: string; sqlite: string; postgres: string };
}

const PACKAGES = [
  '@event-driven-io/emmett',
  '@event-driven-io/emmett-sqlite',
  '@event-driven-io/emmett-postgresql',
  'sqlite3',
];

const manifestOf = (name: string) => join(BENCH_SOURCE, 'node_modules', ...name.split('/'), 'package.json');
const installed = () => PACKAGES.every((name) => existsSync(manifestOf(name)));

/**
 * bench/package.json's dev dependencies, installed when missing: `npm install --prefix bench
 * --legacy-peer-deps` (the registry serves emmett 0.42.0, emmett-sqlite 0.42.4 asks for its 0.42.4 as a
 * peer), which compiles sqlite3 when no prebuilt binary can be fetched (a minute or two). Throws, with the
 * end of npm's output, when it cannot be done.
 */
export async function loadEmmett(log: (message: string) => void): Promise<EmmettPeers> {
  if (!installed()) {
    log('peers: installing bench/package.json (emmett) into bench/node_modules, once');
    try {
      await promisify(execFile)(
        process.platform === 'win32' ? 'npm.cmd' : 'npm',
        ['install', '--prefix', BENCH_SOURCE, '--legacy-peer-deps', '--no-audit', '--no-fund'],
        { encoding: 'utf8', maxBuffer: 16 << 20, timeout: 15 * 60_000 },
      );
    } catch (error) {
      const output = error as { stdout?: string; stderr?: string; message?: string };
      const text = `${output.stdout ?? ''}${output.stderr ?? ''}` || String(output.message);
      const lines = text
        .split('\n')
        .map((line) => line.replace(/^npm (error|ERR!)\s*/, '').trim())
        .filter((line) => line && !/proxy|npm help|complete log/.test(line));
      throw new Error(`npm install --prefix bench failed: ${lines.slice(0, 2).join(' / ')}`);
    }
    if (!installed()) throw new Error('npm install --prefix bench finished but the peers are not there');
  }
  const load = createRequire(join(BENCH_SOURCE, 'package.json'));
  const version = (name: string) =>
    (JSON.parse(readFileSync(manifestOf(name), 'utf8')) as { version: string }).version;
  return {
    emmett: load('@event-driven-io/emmett') as Emmett,
    sqlite: load('@event-driven-io/emmett-sqlite') as EmmettSqlite,
    postgres: load('@event-driven-io/emmett-postgresql') as EmmettPostgres,
    versions: {
      emmett: version('@event-driven-io/emmett'),
      sqlite: version('@event-driven-io/emmett-sqlite'),
      postgres: version('@event-driven-io/emmett-postgresql'),
    },
  };
}
