import { MATERIAL_CODES } from '@ledger/domain';
import { queryExposure, queryInventory } from '@ledger/projections';
import { type BenchResult, percentile, round } from '../bench-result';
import { SeededRandom } from '../seeded-random';
import type { LedgerFixture } from './ledger-fixture';

const IMPORTERS = ['JP', 'KR', 'DE', 'FR', 'US', 'CA', 'GB', 'IN'];

const time = (run: () => unknown): number => {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
};

/**
 * Exposure and inventory reports with random asOf (2008–2026) and knownAt (a position) on the large ledger,
 * against a bare indexed SELECT of one statistic. Ratio = baseline p50 / ledger p50.
 */
export async function reportQueryBenchmark(fixture: LedgerFixture, iterations: number): Promise<BenchResult> {
  const { db, store } = fixture;
  const head = await store.headPosition();
  const random = new SeededRandom(7);
  const stockpiles = db
    .prepare('SELECT DISTINCT stockpile_id FROM stockpile_participants_v1')
    .pluck()
    .all() as string[];
  const bare = db
    .prepare(
      `SELECT grams FROM supply_statistics_v1 WHERE country = ? AND material = ? AND kind = 'trade' AND year = ?`,
    )
    .safeIntegers(true);

  const exposure: number[] = [];
  const inventory: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const asOf = `${random.int(2008, 2026)}-${String(random.int(1, 12)).padStart(2, '0')}-15T00:00:00.000Z`;
    const cut = { asOf, knownAt: { position: BigInt(random.int(1, Number(head))) } };
    const country = random.pick(IMPORTERS);
    const material = random.pick(MATERIAL_CODES);
    exposure.push(time(() => queryExposure(db, country, material, cut)));
    inventory.push(time(() => queryInventory(db, { stockpileId: random.pick(stockpiles) }, cut)));
    baseline.push(time(() => bare.all(country, material, random.int(2006, 2025))));
  }
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const [e, v, b] = [sorted(exposure), sorted(inventory), sorted(baseline)];
  const ledgerP50 = percentile(
    [...e, ...v].sort((x, y) => x - y),
    0.5,
  );
  return {
    name: 'report-query',
    unit: 'ms (p50)',
    ledger: round(ledgerP50, 3),
    baseline: round(percentile(b, 0.5), 3),
    ratio: round(percentile(b, 0.5) / ledgerP50, 3),
    notes:
      `${iterations} each; exposure p50/p99 ${percentile(e, 0.5).toFixed(2)}/${percentile(e, 0.99).toFixed(2)} ms, ` +
      `inventory p50/p99 ${percentile(v, 0.5).toFixed(2)}/${percentile(v, 0.99).toFixed(2)} ms, ` +
      `bare SELECT p50/p99 ${percentile(b, 0.5).toFixed(3)}/${percentile(b, 0.99).toFixed(3)} ms`,
  };
}
