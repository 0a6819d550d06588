import type { EventStore } from './event-store.port';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite/sqlite-database';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { type StoreConfig, sqliteFileOf } from './store-config';

/**
 * The event store the configuration names. In embedded mode the log is the data folder's SQLite file,
 * opened here (and closed with the store) unless the caller passes a connection it keeps. The PostgreSQL
 * and EventStoreDB adapters (and `pg` or gRPC with them) are loaded only when configured, so the embedded
 * mode never pays for them.
 */
export async function createEventStore(config: StoreConfig, db?: SqliteDatabase): Promise<EventStore> {
  const eventStore = config.eventStore;
  switch (eventStore.kind) {
    case 'sqlite': {
      if (db) return new SqliteEventStore(db);
      const owned = openSqliteDatabase(sqliteFileOf(config));
      return new SqliteEventStore(owned, undefined, () => owned.close());
    }
    case 'postgres': {
      const { PostgresEventStore } = await import('./postgres/postgres-event-store');
      return PostgresEventStore.open(eventStore.url);
    }
    case 'eventstoredb': {
      const { EventStoreDbEventStore } = await import('./eventstoredb/eventstoredb-event-store');
      return EventStoreDbEventStore.connect(eventStore.connectionString);
    }
    default: {
      const unknown: never = eventStore;
      throw new Error(`unknown event store ${JSON.stringify(unknown)}`);
    }
  }
}
