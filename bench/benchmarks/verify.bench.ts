import { ChainVerifier } from '@ledger/event-store';
import { createHash } from 'node:crypto';
import { type BenchResult, round, seconds } from '../bench-result';
import type { LedgerFixture } from './ledger-fixture';

/**
 * Hash-chain verification of the whole log (read in pages, canonical JSON, SHA-256 per event, link and
 * order checks, the running digest) against raw SHA-256 over the same stored bytes, read the same way.
 */
export async function verifyBenchmark(fixture: LedgerFixture): Promise<BenchResult> {
  const { db, store } = fixture;

  const rawStart = process.hrtime.bigint();
  let hashed = 0;
  for (const row of db
    .prepare(
      'SELECT stream_id, revision, event_id, type, effective_at, data, metadata FROM events ORDER BY position',
    )
    .raw()
    .iterate() as Iterable<string[]>) {
    createHash('sha256').update(row.join('\n'), 'utf8').digest('hex');
    hashed += 1;
  }
  const rawRate = hashed / seconds(rawStart);

  const ledgerStart = process.hrtime.bigint();
  const verifier = new ChainVerifier();
  for (let position = 0n; ;) {
    const page = await store.readAll({ fromPosition: position, limit: 5000 });
    if (page.length === 0) break;
    for (const event of page) verifier.add(event);
    position = page[page.length - 1]!.position;
  }
  const result = verifier.result();
  const ledgerRate = result.events / seconds(ledgerStart);
  if (!result.verified)
    throw new Error(`the generated ledger does not verify: ${result.failures[0]?.message}`);

  return {
    name: 'verify',
    unit: 'events/s',
    ledger: round(ledgerRate, 0),
    baseline: round(rawRate, 0),
    ratio: round(ledgerRate / rawRate),
    notes: `${result.events.toLocaleString('en')} events in ${result.streams} streams verified; baseline hashes the stored columns without parsing`,
  };
}
