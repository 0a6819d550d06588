import {
  createEventStore,
  type EventStore,
  importLog,
  openSqliteDatabase,
  readStoredLogPages,
  type StoreConfig,
} from '@ledger/event-store';
import { join } from 'node:path';
import { Client } from 'pg';
import type { BenchContext } from '../bench-context';
import { type BenchResult, rateRow, seconds } from '../bench-result';

/** Events per transaction on both sides: importLog's default batch, and the raw INSERTs'. */
const BATCH = 1000;

const COLUMNS = [
  'position',
  'event_id',
  'stream_id',
  'revision',
  'type',
  'schema_version',
  'recorded_at',
  'effective_at',
  'data',
  'metadata',
] as const;

/** The fixture's rows as stored, in position order, `BATCH` at a time: what the raw side writes. */
function* storedRowBatches(fixtureFile: string): Generator<unknown[][]> {
  const db = openSqliteDatabase(fixtureFile);
  try {
    let batch: unknown[][] = [];
    for (const row of db
      .prepare(`SELECT ${COLUMNS.join(', ')} FROM events ORDER BY position`)
      .raw()
      .iterate() as Iterable<unknown[]>) {
      batch.push(row);
      if (batch.length === BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    db.close();
  }
}

/** The events table's shape, keys and uniqueness as the stores create it, without the ledger's checks. */
const RAW_TABLE = `CREATE TABLE raw_events (
  position bigint PRIMARY KEY, event_id text NOT NULL UNIQUE, stream_id text NOT NULL, revision bigint NOT NULL,
  type text NOT NULL, schema_version integer NOT NULL, recorded_at text NOT NULL, effective_at text NOT NULL,
  data text NOT NULL, metadata text NOT NULL, UNIQUE (stream_id, revision))`;

/** Raw side on SQLite: the same rows, batched INSERTs in one transaction per batch, synchronous=FULL. */
function rawSqliteImport(fixtureFile: string, folder: string): number {
  const db = openSqliteDatabase(join(folder, 'raw.sqlite'));
  try {
    db.exec(RAW_TABLE);
    const insert = db.prepare(
      `INSERT INTO raw_events (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
    );
    const writeBatch = db.transaction((rows: unknown[][]) => {
      for (const row of rows) insert.run(row);
    });
    let written = 0;
    const started = process.hrtime.bigint();
    for (const rows of storedRowBatches(fixtureFile)) {
      writeBatch(rows);
      written += rows.length;
    }
    return written / seconds(started);
  } finally {
    db.close();
  }
}

/** Raw side on PostgreSQL: the same rows, one multi-row INSERT per batch, each its own transaction. */
async function rawPostgresImport(fixtureFile: string, url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(RAW_TABLE);
    let written = 0;
    const started = process.hrtime.bigint();
    for (const rows of storedRowBatches(fixtureFile)) {
      const values = rows
        .map((_, r) => `(${COLUMNS.map((__, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`)
        .join(', ');
      await client.query(`INSERT INTO raw_events (${COLUMNS.join(', ')}) VALUES ${values}`, rows.flat());
      written += rows.length;
    }
    return written / seconds(started);
  } finally {
    await client.end();
  }
}

/** The ledger's side: importLog from the fixture's store (read page by page, verified) into an empty one. */
async function ledgerImport(
  fixtureDir: string,
  target: StoreConfig,
): Promise<{ rate: number; events: number }> {
  const source = await createEventStore({
    dataDir: fixtureDir,
    eventStore: { kind: 'sqlite' },
    readStore: { kind: 'sqlite' },
  });
  let into: EventStore | undefined;
  try {
    into = await createEventStore(target);
    const started = process.hrtime.bigint();
    const head = await source.headPosition();
    const result = await importLog(readLogPagesFlat(source, head), into, { batchSize: BATCH });
    const elapsed = seconds(started);
    const events = Number(result.sequence);
    return { rate: events / elapsed, events };
  } finally {
    await into?.close();
    await source.close();
  }
}

/** The source's log as `ledger migrate` reads a store: as stored, page by page, up to its head. */
async function* readLogPagesFlat(store: EventStore, head: bigint) {
  for await (const page of readStoredLogPages(store, { toPosition: head })) yield* page;
}

const LEDGER_SIDE =
  'importLog: the source read page by page and verified as read (chains, digest), compared with the target, ' +
  `written through importRecorded in batches of ${BATCH} (one transaction each, every event's link checked)`;

/**
 * `import` and `import-postgres`: events/s of moving the generated ledger into an empty store (what
 * `ledger migrate` and `ledger import` do), against raw batched INSERTs of the same stored rows into a
 * table of the same shape and keys, read from the same file the same way.
 */
export async function importBenchmarks(
  context: BenchContext,
  names: readonly string[],
): Promise<BenchResult[]> {
  const fixture = await context.fixture();
  const rows: BenchResult[] = [];
  if (names.includes('import')) {
    const raw = rawSqliteImport(fixture.file, context.subfolder('import-raw'));
    const ledger = await ledgerImport(fixture.dataDir, {
      dataDir: context.subfolder('import-target'),
      eventStore: { kind: 'sqlite' },
      readStore: { kind: 'sqlite' },
    });
    rows.push(
      rateRow(
        'import',
        'events/s',
        ledger.rate,
        raw,
        `${ledger.events.toLocaleString('en')} events SQLite → SQLite; ${LEDGER_SIDE}; ` +
          'baseline: the same rows, batched INSERTs, synchronous=FULL',
      ),
    );
  }
  if (names.includes('import-postgres')) {
    const postgres = await context.postgres();
    const raw = await rawPostgresImport(fixture.file, await postgres.createDatabase('import_raw'));
    const ledger = await ledgerImport(fixture.dataDir, {
      dataDir: context.subfolder('import-postgres-target'),
      eventStore: { kind: 'postgres', url: await postgres.createDatabase('import_target') },
      readStore: { kind: 'sqlite' },
    });
    rows.push(
      rateRow(
        'import-postgres',
        'events/s',
        ledger.rate,
        raw,
        `${ledger.events.toLocaleString('en')} events SQLite → ${postgres.description}; ${LEDGER_SIDE}; ` +
          'baseline: the same rows, one multi-row INSERT per batch',
      ),
    );
  }
  return rows;
}
