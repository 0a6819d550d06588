import type { ReadModel } from '../read-model';
import { ReadModelStore } from '../store/read-model-store';
import { PostgresProjectorLock } from './postgres-projector-lock';
import { PostgresSqlDatabase } from './postgres-sql-database';

/** 'LEDG' and the read-model store's migration key (the event store uses 1 and 2). */
const MIGRATION_LOCK = `SELECT pg_advisory_xact_lock(${0x4c454447}, 3)`;

/** The read-model store on PostgreSQL: one pool for queries, projector writes and records alike. */
export function openPostgresReadModelStore(url: string, models: readonly ReadModel[]): ReadModelStore {
  const db = PostgresSqlDatabase.open(url);
  return new ReadModelStore(
    { reader: db, writer: db, records: db },
    models,
    new PostgresProjectorLock(url, db),
    MIGRATION_LOCK,
  );
}
