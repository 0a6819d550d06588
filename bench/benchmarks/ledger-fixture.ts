import { openSqliteDatabase, type SqliteDatabase, SqliteEventStore } from '@ledger/event-store';
import { join } from 'node:path';
import { seconds } from '../bench-result';
import { generateLedger, writeLedger } from '../ledger-generator';

export interface LedgerFixture {
  file: string;
  db: SqliteDatabase;
  store: SqliteEventStore;
  events: number;
  generationSeconds: number;
}

/** The large ledger the rebuild, report-query and verify benchmarks share, generated once per run. */
export async function createLedgerFixture(folder: string, target: number): Promise<LedgerFixture> {
  const file = join(folder, 'ledger.sqlite');
  const db = openSqliteDatabase(file);
  // Loading a fixture needs no power-cut durability; the benchmarks measure reads.
  db.pragma('synchronous = NORMAL');
  const store = new SqliteEventStore(db);
  const started = process.hrtime.bigint();
  const streams = generateLedger(target);
  let last = 0;
  const events = await writeLedger(store, streams, 500, (written) => {
    if (process.stderr.isTTY && written - last >= 50_000) {
      last = written;
      process.stderr.write(`\rgenerating ledger: ${written.toLocaleString('en')} events`);
    }
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  db.pragma('synchronous = FULL');
  return { file, db, store, events, generationSeconds: seconds(started) };
}
