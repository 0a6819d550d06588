import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/**
 * Opens the embedded ledger file. WAL lets readers (queries, a projector in another process) run beside
 * the single writer; `synchronous=FULL` makes an acknowledged command survive a power cut, not only a
 * process crash, which is the promise a ledger makes.
 */
export function openSqliteDatabase(
  file: string,
  options: {
    /**
     * `NORMAL` suits a connection that writes only derived data (read models with their checkpoints, in one
     * transaction): a power cut may undo its last commits, which are then simply projected again.
     */
    synchronous?: 'FULL' | 'NORMAL';
  } = {},
): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // Freed pages stay reclaimable (a read-model rebuild drops whole tables); only effective on a new file.
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}
