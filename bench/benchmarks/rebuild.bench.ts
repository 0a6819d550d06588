import { SQLITE_READ_MODELS } from '@ledger/projections';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type BenchResult, round } from '../bench-result';
import type { LedgerFixture } from './ledger-fixture';

interface ChildRun {
  events: number;
  seconds: number;
  maxRssMiB: number;
}

const runChild = (file: string, mode: 'raw' | 'ledger'): ChildRun =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [
        '-r',
        join(__dirname, '..', '..', '..', 'scripts', 'register-paths.js'),
        join(__dirname, '..', 'rebuild-child.js'),
        file,
        mode,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    ),
  ) as ChildRun;

/**
 * Rebuilding every read model from the whole log vs a raw SELECT and JSON.parse of the same rows, each in
 * a fresh process (so peak RSS is the rebuild's own).
 */
export async function rebuildBenchmark(fixture: LedgerFixture): Promise<BenchResult> {
  const raw = runChild(fixture.file, 'raw');
  const ledger = runChild(fixture.file, 'ledger');
  const rawRate = raw.events / raw.seconds;
  const ledgerRate = ledger.events / ledger.seconds;
  return {
    name: 'rebuild',
    unit: 'events/s',
    ledger: round(ledgerRate, 0),
    baseline: round(rawRate, 0),
    ratio: round(ledgerRate / rawRate),
    notes:
      `${ledger.events.toLocaleString('en')} events, ${SQLITE_READ_MODELS.length} read models, ${ledger.seconds.toFixed(1)} s; ` +
      `peak RSS ${ledger.maxRssMiB} MiB (baseline process ${raw.maxRssMiB} MiB)`,
  };
}
