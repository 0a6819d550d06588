import { openSqliteDatabase, SqliteEventStore } from '@ledger/event-store';
import { rebuildReadModels, SQLITE_READ_MODELS } from '@ledger/projections';

/**
 * Runs one side of the rebuild benchmark in a fresh process, so its peak RSS is the rebuild's own and not
 * the generator's: `node rebuild-child.js <ledger.sqlite> raw|ledger`. Prints one JSON line.
 */
async function main() {
  const [file, mode] = process.argv.slice(2);
  const db = openSqliteDatabase(file!);
  const started = process.hrtime.bigint();
  let events = 0;
  if (mode === 'raw') {
    for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as Iterable<{
      data: string;
      metadata: string;
    }>) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
      events += 1;
    }
  } else {
    events = (await rebuildReadModels(db, new SqliteEventStore(db), SQLITE_READ_MODELS)).events;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  process.stdout.write(
    `${JSON.stringify({ events, seconds, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
}

void main();
