import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchContext } from '../bench-context';
import { type BenchResult, rateRow } from '../bench-result';
import { BENCH_DIST, REGISTER_PATHS } from '../paths';

interface ChildRun {
  events: number;
  seconds: number;
  models: number;
  reclaimedBytes: number;
  maxRssMiB: number;
}

async function runChild(dataDir: string, mode: 'raw' | 'ledger', readStore = 'sqlite'): Promise<ChildRun> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', REGISTER_PATHS, join(BENCH_DIST, 'rebuild-child.js'), dataDir, mode, readStore],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as ChildRun;
}

/** The raw side, once per run: every rebuild row compares with the same scan. */
const rawRuns = new WeakMap<BenchContext, Promise<ChildRun>>();

async function rebuildRow(
  context: BenchContext,
  name: string,
  readStore: string,
  storeNote: string,
): Promise<BenchResult> {
  const fixture = await context.fixture();
  let raw = rawRuns.get(context);
  if (!raw) {
    raw = runChild(fixture.dataDir, 'raw');
    rawRuns.set(context, raw);
  }
  const rawRun = await raw;
  const ledger = await runChild(fixture.dataDir, 'ledger', readStore);
  context.builtReadStores.set(readStore === 'sqlite' ? 'sqlite' : 'postgres', readStore);
  return rateRow(
    name,
    'events/s',
    ledger.events / ledger.seconds,
    rawRun.events / rawRun.seconds,
    `${ledger.events.toLocaleString('en')} events, all ${ledger.models} read models, ${ledger.seconds.toFixed(1)} s, ` +
      `${storeNote}; peak RSS ${ledger.maxRssMiB} MiB (baseline process ${rawRun.maxRssMiB} MiB); ` +
      `${(ledger.reclaimedBytes / 2 ** 20).toFixed(1)} MiB reclaimed after the swap; ` +
      'baseline: SELECT and JSON.parse of every row of the SQLite log; each side in a fresh process',
  );
}

/** `rebuild`: rebuildReadModels from the whole log into the SQLite read store vs a raw scan and parse. */
export const rebuildBenchmark = (context: BenchContext): Promise<BenchResult> =>
  rebuildRow(context, 'rebuild', 'sqlite', 'read store: the SQLite file of the data folder');

/** `rebuild-postgres`: the same log (SQLite) rebuilt into a PostgreSQL read store. */
export async function rebuildPostgresBenchmark(context: BenchContext): Promise<BenchResult> {
  const postgres = await context.postgres();
  return rebuildRow(
    context,
    'rebuild-postgres',
    await postgres.createDatabase('rebuild_reads'),
    `read store on ${postgres.description}`,
  );
}
