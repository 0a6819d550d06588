import { MATERIAL_CODES } from '@ledger/domain';
import { createEventStore, type ReadStoreConfig } from '@ledger/event-store';
import {
  type Bitemporal,
  ledgerQueries,
  openReadModelStore,
  rebuildReadModels,
  type SqlReader,
  type SqlValue,
} from '@ledger/projections';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { numberPlaceholders } from '../../libs/projections/src/postgres/postgres-sql-database';
import type { BenchContext } from '../bench-context';
import { ascending, type BenchResult, latencyRow, milliseconds, percentile } from '../bench-result';
import type { LedgerFixture } from './ledger-fixture';
import { SeededRandom } from '../seeded-random';

const IMPORTERS = ['JP', 'KR', 'DE', 'FR', 'US', 'CA', 'GB', 'IN'];
const WARM_UP = 10;

interface Captured {
  sql: string;
  params: readonly SqlValue[];
  /** rows as arrays (`tuples`), which the bare run then asks for too */
  asArrays: boolean;
}

/** A reader that notes every statement the queries send through it: what the bare baseline runs. */
function recording(reader: SqlReader, log: Captured[]): SqlReader {
  return {
    dialect: reader.dialect,
    all: (sql, params = []) => {
      log.push({ sql, params, asArrays: false });
      return reader.all(sql, params);
    },
    tuples: (sql, params = []) => {
      log.push({ sql, params, asArrays: true });
      return reader.tuples(sql, params);
    },
    get: (sql, params = []) => {
      log.push({ sql, params, asArrays: false });
      return reader.get(sql, params);
    },
  };
}

/** Runs the captured statements bare: prepared, with the raw driver, nothing done with the rows. */
interface BareRunner {
  run(statements: readonly Captured[]): Promise<void>;
  close(): Promise<void>;
  note: string;
}

function bareSqlite(file: string): BareRunner {
  const db = new Database(file, { readonly: true });
  // The two exact-sum functions the SQLite read store registers (TEXT decimals summed in bigint).
  const exact = (value: unknown) => (value === null || value === undefined ? 0n : BigInt(value as string));
  db.function('dec_add', { deterministic: true, safeIntegers: true }, (a: unknown, b: unknown) =>
    (exact(a) + exact(b)).toString(),
  );
  db.aggregate('dec_sum', {
    deterministic: true,
    safeIntegers: true,
    start: () => 0n,
    step: (total: bigint, value: unknown) => total + exact(value),
    result: (total: bigint) => total.toString(),
  });
  const prepared = new Map<string, Database.Statement>();
  return {
    note: 'the same statements, prepared once, run one after the other with raw better-sqlite3',
    async run(statements) {
      for (const { sql, params, asArrays } of statements) {
        let statement = prepared.get(sql);
        if (!statement) {
          statement = db.prepare(sql).safeIntegers(true);
          prepared.set(sql, statement);
        }
        statement.raw(asArrays).all(...params);
      }
    },
    async close() {
      db.close();
    },
  };
}

function barePostgres(url: string): BareRunner {
  const pool = new Pool({ connectionString: url, max: 8 });
  const names = new Map<string, string>();
  return {
    note: 'the same statements, prepared, run together on a pool of 8 (as the adapter does) with raw node-postgres',
    async run(statements) {
      await Promise.all(
        statements.map(({ sql, params, asArrays }) => {
          let name = names.get(sql);
          if (!name) {
            name = `bare${names.size}`;
            names.set(sql, name);
          }
          return pool.query({
            name,
            text: numberPlaceholders(sql),
            values: params.map((value) => (typeof value === 'bigint' ? value.toString() : value)),
            ...(asArrays ? { rowMode: 'array' } : {}),
          });
        }),
      );
    },
    close: () => pool.end(),
  };
}

/** The fixture's read models in `readStore`, built from the whole log unless a rebuild row did it. */
async function builtReadStore(
  context: BenchContext,
  fixture: LedgerFixture,
  kind: 'sqlite' | 'postgres',
): Promise<ReadStoreConfig> {
  let built = context.builtReadStores.get(kind);
  if (built === undefined) {
    built = kind === 'sqlite' ? 'sqlite' : await (await context.postgres()).createDatabase('report_reads');
    const config = {
      dataDir: fixture.dataDir,
      eventStore: { kind: 'sqlite' as const },
      readStore: built === 'sqlite' ? { kind: 'sqlite' as const } : { kind: 'postgres' as const, url: built },
    };
    context.log(`report-query: building the read models (${kind}) first, untimed`);
    const events = await createEventStore(config);
    const readModels = await openReadModelStore(config);
    await rebuildReadModels(events, readModels).finally(async () => {
      await readModels.close();
      await events.close();
    });
    context.builtReadStores.set(kind, built);
  }
  return built === 'sqlite' ? { kind: 'sqlite' } : { kind: 'postgres', url: built };
}

async function reportQueryRow(
  context: BenchContext,
  name: string,
  kind: 'sqlite' | 'postgres',
): Promise<BenchResult> {
  const fixture = await context.fixture();
  const readStore = await builtReadStore(context, fixture, kind);
  const store = await openReadModelStore({ dataDir: fixture.dataDir, readStore });
  const bare = readStore.kind === 'sqlite' ? bareSqlite(fixture.file) : barePostgres(readStore.url);
  const captured: Captured[] = [];
  const queries = ledgerQueries(recording(store.reader, captured));
  const random = new SeededRandom(7);
  const ledgerMs: number[] = [];
  const bareMs: number[] = [];
  let statements = 0;
  try {
    const iterations = context.options.reportSamples;
    for (let i = 0; i < WARM_UP + iterations; i += 1) {
      const asOf = `${random.int(2008, 2026)}-${String(random.int(1, 12)).padStart(2, '0')}-15T00:00:00.000Z`;
      const cut: Bitemporal = { asOf, knownAt: { position: BigInt(random.int(1, fixture.events)) } };
      const country = random.pick(IMPORTERS);
      const material = random.pick(MATERIAL_CODES);
      captured.length = 0;
      const ledgerStart = process.hrtime.bigint();
      await queries.exposure.exposure(country, material, cut);
      const ledgerTime = milliseconds(ledgerStart);
      const report = [...captured];
      const bareStart = process.hrtime.bigint();
      await bare.run(report);
      const bareTime = milliseconds(bareStart);
      if (i < WARM_UP) continue;
      ledgerMs.push(ledgerTime);
      bareMs.push(bareTime);
      statements += report.length;
    }
  } finally {
    await bare.close();
    await store.close();
  }
  const [ledger, baseline] = [ascending(ledgerMs), ascending(bareMs)];
  const [p50, p99, bareP50, bareP99] = [
    percentile(ledger, 0.5),
    percentile(ledger, 0.99),
    percentile(baseline, 0.5),
    percentile(baseline, 0.99),
  ];
  return latencyRow(
    name,
    'ms (p50)',
    p50,
    bareP50,
    `${ledgerMs.length} exposure reports (random country, material, asOf 2008-2026, knownAt a position) on ` +
      `${fixture.events.toLocaleString('en')} events, ${kind === 'sqlite' ? 'SQLite read store' : `read store on ${(await context.postgres()).description}`}; ` +
      `ledger p50/p99 ${p50.toFixed(3)}/${p99.toFixed(3)} ms (p99 ${(p99 / p50).toFixed(1)}× p50), ` +
      `bare p50/p99 ${bareP50.toFixed(3)}/${bareP99.toFixed(3)} ms; ledger p50 is ${(p50 / bareP50).toFixed(1)}× the bare one; ` +
      `baseline: ${(statements / ledgerMs.length).toFixed(1)} indexed SELECTs a report, ${bare.note}`,
  );
}

/** `report-query`: the exposure report on the SQLite read store against the bare SELECTs it sends. */
export const reportQueryBenchmark = (context: BenchContext): Promise<BenchResult> =>
  reportQueryRow(context, 'report-query', 'sqlite');

/** `report-query-postgres`: the same on the PostgreSQL read store. */
export const reportQueryPostgresBenchmark = (context: BenchContext): Promise<BenchResult> =>
  reportQueryRow(context, 'report-query-postgres', 'postgres');
