import { createEventStore, openSqliteDatabase, verifyStore } from '@ledger/event-store';
import { createHash } from 'node:crypto';
import type { BenchContext } from '../bench-context';
import { type BenchResult, rateRow, seconds } from '../bench-result';

/**
 * `verify`: the ledger's verification of the whole log (verifyStore: pages of the store, canonical JSON,
 * SHA-256 per event, link and order checks, the running digest) against raw SHA-256 over the same stored
 * columns, read in position order the same way, without parsing.
 */
export async function verifyBenchmark(context: BenchContext): Promise<BenchResult> {
  const fixture = await context.fixture();

  const db = openSqliteDatabase(fixture.file);
  const rawStart = process.hrtime.bigint();
  let hashed = 0;
  for (const row of db
    .prepare(
      `SELECT position, stream_id, revision, event_id, type, schema_version, recorded_at, effective_at, data,
         metadata FROM events ORDER BY position`,
    )
    .raw()
    .iterate() as Iterable<unknown[]>) {
    createHash('sha256').update(row.join('\n'), 'utf8').digest('hex');
    hashed += 1;
  }
  const rawRate = hashed / seconds(rawStart);
  db.close();

  const store = await createEventStore({
    dataDir: fixture.dataDir,
    eventStore: { kind: 'sqlite' },
    readStore: { kind: 'sqlite' },
  });
  try {
    const started = process.hrtime.bigint();
    const result = await verifyStore(store);
    const ledgerRate = result.events / seconds(started);
    if (!result.verified) {
      throw new Error(`the generated ledger does not verify: ${result.failures[0]?.message}`);
    }
    return rateRow(
      'verify',
      'events/s',
      ledgerRate,
      rawRate,
      `${result.events.toLocaleString('en')} events in ${result.streams} streams verified (digest v${result.digestVersion}); ` +
        'baseline: SHA-256 of the stored columns of each row, in position order, without parsing',
    );
  } finally {
    await store.close();
  }
}
