import {
  ConfigError,
  type EventStoreConfig,
  loadStoreConfig,
  parseReadStore,
  type ReadStoreConfig,
  type StoreConfig,
} from '@ledger/event-store';
import { resolve } from 'node:path';
import type { CliArguments } from './cli-arguments';

/**
 * Stores as the moving commands (`import`, `migrate`) name them: an event store with the data folder it
 * may live in, and the read store its read models are rebuilt in.
 */

/** How a store location is written, for usage texts. */
export const STORE_LOCATION_USAGE =
  'sqlite:DIR or a data folder path (the embedded ledger file DIR/ledger.sqlite), a PostgreSQL URL ' +
  '(postgres://user:password@host:5432/ledger) or an EventStoreDB connection string (esdb://host:2113?tls=false)';

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The data folder the command names: --data-dir, else LEDGER_DATA_DIR, else ./data. */
export const dataDirOf = (args: CliArguments): string =>
  resolve(args.options.get('data-dir') ?? (process.env.LEDGER_DATA_DIR || './data'));

/**
 * An event store named on the command line: `sqlite` (the data folder `dataDir`), `sqlite:DIR`, a folder
 * path, a PostgreSQL URL or an EventStoreDB connection string.
 */
export function parseStoreLocation(
  value: string,
  dataDir: string,
): { dataDir: string; eventStore: EventStoreConfig } {
  const location = value.trim();
  if (location === '') throw new ConfigError('a store location is empty');
  if (location === 'sqlite') return { dataDir, eventStore: { kind: 'sqlite' } };
  const folder = /^sqlite:(?!\/\/)(.+)$/i.exec(location);
  if (folder) return { dataDir: resolve(folder[1]!), eventStore: { kind: 'sqlite' } };
  if (URL_SCHEME.test(location))
    return { dataDir, eventStore: loadStoreConfig({ LEDGER_EVENT_STORE: location }).eventStore };
  return { dataDir: resolve(location), eventStore: { kind: 'sqlite' } };
}

/**
 * The read store a command names with --read-store: `sqlite` (the file in `dataDir`), `sqlite:DIR` or a
 * folder path, or a PostgreSQL URL; unset, LEDGER_READ_STORE, else `sqlite`.
 */
export function parseReadStoreLocation(
  value: string | undefined,
  dataDir: string,
): { dataDir: string; readStore: ReadStoreConfig } {
  const location = (value ?? (process.env.LEDGER_READ_STORE || 'sqlite')).trim();
  if (location === 'sqlite') return { dataDir, readStore: { kind: 'sqlite' } };
  const folder = /^sqlite:(?!\/\/)(.+)$/i.exec(location);
  if (folder) return { dataDir: resolve(folder[1]!), readStore: { kind: 'sqlite' } };
  if (URL_SCHEME.test(location)) return { dataDir, readStore: parseReadStore(location) };
  return { dataDir: resolve(location), readStore: { kind: 'sqlite' } };
}

/** An event store and the read store its read models live in. */
export interface StoreLocation {
  /** the event store, with the data folder of its SQLite file when it is the embedded one */
  events: StoreConfig;
  /** where its read models are rebuilt: --read-store, by default the embedded ledger's own file */
  reads: Pick<StoreConfig, 'dataDir' | 'readStore'>;
}

/** The stores `location` and --read-store (or LEDGER_READ_STORE) name. */
export function storeLocation(location: string, args: CliArguments): StoreLocation {
  const events = parseStoreLocation(location, dataDirOf(args));
  const reads = parseReadStoreLocation(args.options.get('read-store'), events.dataDir);
  return { events: { ...events, readStore: reads.readStore }, reads };
}

/** A connection string fit to print: the password, if any, replaced. */
export const withoutPassword = (url: string): string =>
  url.replace(/^([a-z+]+:\/\/[^:@/]+):[^@/]*@/i, '$1:***@');

/** How a configuration's event store is named in messages. */
export function describeEventStore(config: Pick<StoreConfig, 'dataDir' | 'eventStore'>): string {
  const store = config.eventStore;
  if (store.kind === 'sqlite') return resolve(config.dataDir, 'ledger.sqlite');
  return withoutPassword(store.kind === 'postgres' ? store.url : store.connectionString);
}
