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

async function runChild(
  dataDir: string,
  mode: 'raw' | 'raw-postgres' | 'ledger',
  readStore = 'sqlite',
): Promise<ChildRun> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', REGISTER_PATHS, join(BENCH_DIST, 'rebuild-child.js'), dataDir, mode, readStore],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as ChildRun;
}

/** The raw SQLite scan, once per run: `rebuild` compares with it. */
const rawRuns = new WeakMap<BenchContext, Promise<ChildRun>>();

async function rebuildRow(
  context: BenchContext,
  name: string,
  readStore: string,
  storeNote: string,
  baseline: { run: ChildRun; note: string },
): Promise<BenchResult> {
  const fixture = await context.fixture();
  const ledger = await runChild(fixture.dataDir, 'ledger', readStore);
  context.builtReadStores.set(readStore === 'sqlite' ? 'sqlite' : 'postgres', readStore);
  return rateRow(
    name,
    'events/s',
    ledger.events / ledger.seconds,
    baseline.run.events / baseline.run.seconds,
    `${ledger.events.toLocaleString('en')} events, all ${ledger.models} read models, ${ledger.seconds.toFixed(1)} s, ` +
      `${storeNote}; peak RSS ${ledger.maxRssMiB} MiB (baseline process ${baseline.run.maxRssMiB} MiB); ` +
      `${(ledger.reclaimedBytes / 2 ** 20).toFixed(1)} MiB reclaimed after the swap; ` +
      `baseline: ${baseline.note}; each side in a fresh process`,
  );
}

/** `rebuild`: rebuildReadModels from the whole log into the SQLite read store vs a raw scan and parse. */
export async function rebuildBenchmark(context: BenchContext): Promise<BenchResult> {
  const fixture = await context.fixture();
  let raw = rawRuns.get(context);
  if (!raw) {
    raw = runChild(fixture.dataDir, 'raw');
    rawRuns.set(context, raw);
  }
  return rebuildRow(context, 'rebuild', 'sqlite', 'read store: the SQLite file of the data folder', {
    run: await raw,
    note: 'SELECT and JSON.parse of every row of the SQLite log',
  });
}

/**
 * `rebuild-postgres`: the same log (SQLite) rebuilt into a PostgreSQL read store, against the same scan
 * and parse writing every event as one row into a PostgreSQL table (raw node-postgres, in a database of
 * its own on the same server).
 */
export async function rebuildPostgresBenchmark(context: BenchContext): Promise<BenchResult> {
  const fixture = await context.fixture();
  const postgres = await context.postgres();
  const raw = await runChild(fixture.dataDir, 'raw-postgres', await postgres.createDatabase('rebuild_raw'));
  return rebuildRow(
    context,
    'rebuild-postgres',
    await postgres.createDatabase('rebuild_reads'),
    `read store on ${postgres.description}`,
    {
      run: raw,
      note:
        'SELECT and JSON.parse of every row of the SQLite log, each event written as one row (envelope and ' +
        'data) into a PostgreSQL table by INSERT ... SELECT FROM unnest (one array per column, 1,000 rows ' +
        'a statement, 20,000 a transaction: the fastest plain node-postgres way; COPY would need another package)',
    },
  );
}
