import { createEventStore, openSqliteDatabase, parseReadStore } from '@ledger/event-store';
import { openReadModelStore, rebuildReadModels } from '@ledger/projections';
import { join } from 'node:path';
import { Client } from 'pg';

/** Rows per INSERT and rows per transaction of the raw PostgreSQL side: the rebuild's page and transaction. */
const RAW_PAGE = 1000;
const RAW_TRANSACTION = 20_000;

/**
 * The raw side against PostgreSQL: the same scan and parse as `raw`, and every event written as one row
 * (its envelope and data) into a PostgreSQL table with the fastest plain node-postgres way we found, one
 * `INSERT ... SELECT * FROM unnest($1::bigint[], ...)` per 1,000 rows (faster than multi-row VALUES; COPY
 * would need another package), 20,000 rows per transaction.
 */
async function rawScanIntoPostgres(file: string, url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const db = openSqliteDatabase(file);
  let events = 0;
  try {
    await client.query(`CREATE TABLE raw_rebuild (
      position bigint PRIMARY KEY, event_id text NOT NULL, stream_id text NOT NULL, type text NOT NULL,
      effective_at text NOT NULL, recorded_at text NOT NULL, data text NOT NULL)`);
    const insert = {
      name: 'raw_rebuild_insert',
      text: `INSERT INTO raw_rebuild (position, event_id, stream_id, type, effective_at, recorded_at, data)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
    };
    let columns: string[][] = [[], [], [], [], [], [], []];
    const flush = async () => {
      if (columns[0]!.length === 0) return;
      await client.query({ ...insert, values: columns });
      columns = [[], [], [], [], [], [], []];
    };
    await client.query('BEGIN');
    const rows = db
      .prepare(
        'SELECT position, event_id, stream_id, type, effective_at, recorded_at, data, metadata FROM events ORDER BY position',
      )
      .iterate() as Iterable<Record<string, string | number>>;
    for (const row of rows) {
      JSON.parse(row.data as string);
      JSON.parse(row.metadata as string);
      columns[0]!.push(String(row.position));
      columns[1]!.push(row.event_id as string);
      columns[2]!.push(row.stream_id as string);
      columns[3]!.push(row.type as string);
      columns[4]!.push(row.effective_at as string);
      columns[5]!.push(row.recorded_at as string);
      columns[6]!.push(row.data as string);
      events += 1;
      if (events % RAW_PAGE === 0) await flush();
      if (events % RAW_TRANSACTION === 0) {
        await client.query('COMMIT');
        await client.query('BEGIN');
      }
    }
    await flush();
    await client.query('COMMIT');
  } finally {
    db.close();
    await client.end();
  }
  return events;
}

/**
 * One side of the rebuild benchmark in a fresh process, so that its peak RSS is its own and not the
 * generator's: `node rebuild-child.js <data folder> raw|raw-postgres|ledger [sqlite|postgres://...]`. Prints
 * one JSON line.
 */
async function main() {
  const [dataDir, mode, readStore] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  let events = 0;
  let reclaimedBytes = 0;
  let models = 0;
  if (mode === 'raw') {
    // What any reader of the log pays: every row in position order, its JSON parsed.
    const db = openSqliteDatabase(join(dataDir!, 'ledger.sqlite'));
    for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as Iterable<{
      data: string;
      metadata: string;
    }>) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
      events += 1;
    }
    db.close();
  } else if (mode === 'raw-postgres') {
    events = await rawScanIntoPostgres(join(dataDir!, 'ledger.sqlite'), readStore!);
  } else {
    const config = {
      dataDir: dataDir!,
      eventStore: { kind: 'sqlite' as const },
      readStore: parseReadStore(readStore ?? 'sqlite'),
    };
    const store = await createEventStore(config);
    const readModels = await openReadModelStore(config);
    try {
      const result = await rebuildReadModels(store, readModels);
      events = result.events;
      reclaimedBytes = result.reclaimedBytes;
      models = readModels.models.length;
    } finally {
      await readModels.close();
      await store.close();
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${JSON.stringify({ events, seconds, models, reclaimedBytes, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
