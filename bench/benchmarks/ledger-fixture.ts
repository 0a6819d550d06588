import { openSqliteDatabase, SqliteEventStore } from '@ledger/event-store';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { seconds } from '../bench-result';
import { generateLedger, writeLedger } from '../ledger-generator';

/** A data folder whose SQLite log holds a generated ledger, and no read models yet. */
export interface LedgerFixture {
  dataDir: string;
  /** the data folder's ledger.sqlite */
  file: string;
  events: number;
  generationSeconds: number;
}

/**
 * Writes the seeded 20-year ledger (about `target` events) straight into the store of a new data folder,
 * as the API would find it: events only, hash-chained, no read models. A fixture, not a path commands take.
 */
export async function generateLedgerFolder(
  dataDir: string,
  target: number,
  onProgress?: (written: number) => void,
): Promise<LedgerFixture> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'ledger.sqlite');
  // Loading a fixture needs no power-cut durability; the benchmarks measure what happens after.
  const db = openSqliteDatabase(file, { synchronous: 'NORMAL' });
  const started = process.hrtime.bigint();
  try {
    const events = await writeLedger(new SqliteEventStore(db), generateLedger(target), 500, onProgress);
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { dataDir, file, events, generationSeconds: seconds(started) };
  } finally {
    db.close();
  }
}
