import type { SqliteDatabase } from '@ledger/event-store';

/** Where every read model's checkpoint (the last global position it applied) is kept. */
export function ensureCheckpointTable(db: SqliteDatabase): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)',
  );
}
