import { rebuildReadModels, SQLITE_READ_MODELS } from '@ledger/projections';
import { type BenchResult, round, seconds } from '../bench-result';
import type { LedgerFixture } from './ledger-fixture';

/** Rebuilding every read model from the whole log vs a raw SELECT and JSON.parse of the same rows. */
export async function rebuildBenchmark(fixture: LedgerFixture): Promise<BenchResult> {
  const { db, store, events } = fixture;

  const rawStart = process.hrtime.bigint();
  let parsed = 0;
  for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as Iterable<{
    data: string;
    metadata: string;
  }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    parsed += 1;
  }
  const rawRate = parsed / seconds(rawStart);

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const ledgerStart = process.hrtime.bigint();
  const result = await rebuildReadModels(db, store, SQLITE_READ_MODELS);
  const ledgerSeconds = seconds(ledgerStart);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const ledgerRate = result.events / ledgerSeconds;

  return {
    name: 'rebuild',
    unit: 'events/s',
    ledger: round(ledgerRate, 0),
    baseline: round(rawRate, 0),
    ratio: round(ledgerRate / rawRate),
    notes: `${events.toLocaleString('en')} events, ${SQLITE_READ_MODELS.length} read models, ${ledgerSeconds.toFixed(1)} s; peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`,
  };
}
