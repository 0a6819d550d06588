import type { EventStore, SqliteDatabase } from '@ledger/event-store';
import { ensureCheckpointTable } from './checkpoints';
import type { SqliteReadModel } from './projection';
import { SqliteProjector } from './sqlite-projector';

/** Tables of the version being built carry this prefix until the swap renames them. */
export const REBUILD_PREFIX = 'rebuild_';

export interface RebuildProgress {
  position: bigint;
  head: bigint;
  events: number;
}

export interface RebuildOptions {
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

/**
 * Builds a fresh version of the read models beside the live one, from the whole log, then swaps it in:
 * one transaction applies the last events, drops the live tables, renames the new ones and moves the
 * checkpoints. Readers see the old version until that commit and the new one after; a projector still
 * running against the live tables re-applies some events afterwards, which the position-keyed rows
 * absorb (every projection is idempotent).
 */
export async function rebuildReadModels(
  db: SqliteDatabase,
  store: EventStore,
  models: readonly SqliteReadModel[],
  options: RebuildOptions = {},
): Promise<RebuildProgress> {
  const batchSize = options.batchSize ?? 5000;
  dropTables(db, models, REBUILD_PREFIX);
  ensureCheckpointTable(db);
  db.prepare(`DELETE FROM projection_checkpoints WHERE name LIKE '${REBUILD_PREFIX}%'`).run();
  const shadow = models.map((model) => shadowOf(model));
  const projector = new SqliteProjector(db, store, shadow);

  let position = 0n;
  let events = 0;
  let head = await store.headPosition();
  for (;;) {
    const batch = await store.readAll({ fromPosition: position, limit: batchSize });
    if (batch.length === 0) break;
    projector.handle(batch);
    position = batch[batch.length - 1]!.position;
    events += batch.length;
    if (position > head) head = position;
    options.onProgress?.({ position, head, events });
  }

  const swap = db.transaction(() => {
    dropTables(db, models, '');
    for (const model of models) {
      for (const table of model.tables) db.exec(`ALTER TABLE ${REBUILD_PREFIX}${table} RENAME TO ${table}`);
    }
    dropIndexes(db, REBUILD_PREFIX);
    for (const model of models) model.createTables(db);
    const moveCheckpoint = db.prepare(
      `INSERT INTO projection_checkpoints (name, position) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
    );
    for (const model of models) moveCheckpoint.run(model.name, position);
    db.prepare(`DELETE FROM projection_checkpoints WHERE name LIKE '${REBUILD_PREFIX}%'`).run();
  });
  swap.immediate();
  // Events appended between the last batch and the swap (or applied by a running projector to the tables
  // just dropped) are applied now to the new live tables, from the checkpoint the swap wrote.
  const live = new SqliteProjector(db, store, models);
  for (;;) {
    const batch = await store.readAll({ fromPosition: position, limit: batchSize });
    if (batch.length === 0) break;
    live.handle(batch);
    position = batch[batch.length - 1]!.position;
    events += batch.length;
  }
  const result = { position, head: position > head ? position : head, events };
  options.onProgress?.(result);
  return result;
}

function shadowOf(model: SqliteReadModel): SqliteReadModel {
  return {
    ...model,
    name: `${REBUILD_PREFIX}${model.name}`,
    createTables: (db) => model.createTables(db, REBUILD_PREFIX),
    writer: (db) => model.writer(db, REBUILD_PREFIX),
  };
}

function dropTables(db: SqliteDatabase, models: readonly SqliteReadModel[], prefix: string): void {
  for (const model of models)
    for (const table of model.tables) db.exec(`DROP TABLE IF EXISTS ${prefix}${table}`);
}

function dropIndexes(db: SqliteDatabase, prefix: string): void {
  const names = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE ? AND sql IS NOT NULL`)
    .pluck()
    .all(`${prefix}%`) as string[];
  for (const name of names) db.exec(`DROP INDEX ${name}`);
}
