import { resolve } from 'node:path';

/**
 * Which event store holds the log: the embedded SQLite file, a PostgreSQL database (`url` in the
 * `postgres://` form), or an EventStoreDB / KurrentDB server or cluster (`connectionString` in the
 * `esdb://` form the client parses).
 */
export type EventStoreConfig =
  { kind: 'sqlite' } | { kind: 'postgres'; url: string } | { kind: 'eventstoredb'; connectionString: string };

/** Where the ledger keeps its events and read models; shared by the API, the projector and the CLI. */
export interface StoreConfig {
  /** the SQLite file and the generated key file live here; in distributed mode, the read models only */
  dataDir: string;
  eventStore: EventStoreConfig;
  /** where read models, their checkpoints and Idempotency-Key records live: the SQLite file, or PostgreSQL */
  readStore: ReadStoreConfig;
}

export type ReadStoreConfig = { kind: 'sqlite' } | { kind: 'postgres'; url: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const eventStore = parseEventStore(env.LEDGER_EVENT_STORE || 'sqlite');
  return {
    dataDir: resolve(env.LEDGER_DATA_DIR || './data'),
    eventStore,
    readStore: parseReadStore(env.LEDGER_READ_STORE || 'sqlite'),
  };
}

/** `sqlite` (the data folder's file), or a PostgreSQL URL that any number of API processes share. */
export function parseReadStore(value: string): ReadStoreConfig {
  if (value === 'sqlite') return { kind: 'sqlite' };
  if (/^postgres(ql)?:\/\/./i.test(value.trim())) return { kind: 'postgres', url: value.trim() };
  throw new ConfigError(
    `LEDGER_READ_STORE="${value}" is neither "sqlite" nor a PostgreSQL URL (postgres://user:password@host:5432/ledger)`,
  );
}

/**
 * `sqlite`, a PostgreSQL URL (`postgres://user:password@host:5432/ledger`, or `postgresql://...`), or an
 * EventStoreDB connection string: `esdb://host:2113?tls=false`, `kurrentdb://...` (same protocol) or `+discover`.
 */
function parseEventStore(value: string): EventStoreConfig {
  if (value === 'sqlite') return { kind: 'sqlite' };
  if (/^postgres(ql)?:\/\/./i.test(value.trim())) return { kind: 'postgres', url: value.trim() };
  const match = /^(esdb|kurrentdb)(\+discover)?:\/\/(.+)$/i.exec(value.trim());
  if (!match) {
    throw new ConfigError(
      `LEDGER_EVENT_STORE="${value}" is neither "sqlite", a PostgreSQL URL (postgres://user:password@host:5432/ledger) nor an EventStoreDB connection string (esdb://host:2113?tls=false, kurrentdb://...)`,
    );
  }
  // The 6.x client parses only esdb://; kurrentdb:// is the same protocol under the server's new name.
  return { kind: 'eventstoredb', connectionString: `esdb${match[2] ?? ''}://${match[3]}` };
}

/** The embedded ledger file inside the data folder. */
export const sqliteFileOf = (config: StoreConfig): string => resolve(config.dataDir, 'ledger.sqlite');
