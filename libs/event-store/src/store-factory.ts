import type { EventStore } from './event-store.port';
import type { SqliteDatabase } from './sqlite/sqlite-database';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import type { StoreConfig } from './store-config';

/**
 * The event store the configuration names. `db` is the embedded SQLite file: the log itself in embedded
 * mode; with PostgreSQL or EventStoreDB it keeps only read models, checkpoints and idempotency records.
 * The PostgreSQL and EventStoreDB adapters (and `pg` or gRPC with them) are loaded only when configured,
 * so the embedded mode never pays for them.
 */
export async function createEventStore(config: StoreConfig, db: SqliteDatabase): Promise<EventStore> {
  const eventStore = config.eventStore;
  switch (eventStore.kind) {
    case 'sqlite':
      return new SqliteEventStore(db);
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
