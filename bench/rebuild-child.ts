import { createEventStore, openSqliteDatabase, parseReadStore } from '@ledger/event-store';
import { openReadModelStore, rebuildReadModels } from '@ledger/projections';
import { join } from 'node:path';

/**
 * One side of the rebuild benchmark in a fresh process, so that its peak RSS is its own and not the
 * generator's: `node rebuild-child.js <data folder> raw|ledger [sqlite|postgres://...]`. Prints one JSON line.
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
