import { createEventStore } from '@ledger/event-store';
import type { BenchContext } from '../bench-context';
import { type BenchResult, skippedRow } from '../bench-result';

/** The port methods the import of an export is being written as (branch `migrate`). */
const IMPORT_METHODS = ['importLog', 'importRecorded'] as const;

/** Which of the import methods the SQLite event store has in this build. */
async function importMethods(context: BenchContext): Promise<string[]> {
  const store = await createEventStore({
    dataDir: context.subfolder('import-probe'),
    eventStore: { kind: 'sqlite' },
    readStore: { kind: 'sqlite' },
  });
  try {
    const methods = store as unknown as Record<string, unknown>;
    return IMPORT_METHODS.filter((name) => typeof methods[name] === 'function');
  } finally {
    await store.close();
  }
}

/**
 * `import` and `import-postgres`: events/s of importing an NDJSON export into an empty store, per store.
 * The import is not on the EventStore port yet (libs/event-store/src/event-store.port.ts); until it is,
 * both rows stay in the table, skipped, saying so. Once it lands, this row is written against its
 * signature: export the fixture, import it into a fresh SQLite file and a fresh PostgreSQL database, against
 * raw batched INSERTs of the same rows.
 */
export async function importBenchmarks(
  context: BenchContext,
  names: readonly string[],
): Promise<BenchResult[]> {
  const found = await importMethods(context);
  const why =
    found.length === 0
      ? `the EventStore port has no ${IMPORT_METHODS.join('/')} yet (being written on branch migrate); ` +
        'this row runs once it lands'
      : `the event store now has ${found.join(', ')}, but this row is not wired to it yet ` +
        '(bench/benchmarks/import.bench.ts)';
  return names.map((name) => skippedRow(name, 'events/s', why));
}
