import { createEventStore, loadStoreConfig, openSqliteDatabase } from '@ledger/event-store';
import { openReadModelStore, rebuildReadModels, type ReadModelStore } from '@ledger/projections';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** A table's rows as text (comparable across adapters), in a stable order. */
export type Rows = Record<string, string | null>[];

/** Every live read-model table (through its view) with its rows, and every model's checkpoint. */
export async function readModelState(store: ReadModelStore) {
  const tables: Record<string, Rows> = {};
  for (const model of store.models) {
    for (const table of model.tables) {
      const rows = await store.reader.all<Record<string, unknown>>(`SELECT * FROM ${table.name}`);
      const asText = rows.map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([column, value]) => [column, value === null ? null : String(value)]),
        ),
      );
      tables[table.name] = asText.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    }
  }
  const checkpoints = Object.fromEntries(
    [...(await store.checkpoints())].map(([name, checkpoint]) => [name, checkpoint.position.toString()]),
  );
  return { tables, checkpoints };
}

/** The read models a ledger's data folder holds (the embedded store), read without changing them. */
export async function readModelsAt(dataDir: string) {
  const store = await openReadModelStore({ dataDir, readStore: { kind: 'sqlite' } });
  try {
    return await readModelState(store);
  } finally {
    await store.close();
  }
}

/**
 * The read models the server left in `dataDir`, and those a rebuild from scratch of the same log gives (on
 * a copy, so the server's file is untouched).
 */
export async function servedAndRebuiltReadModels(dataDir: string) {
  const copyDir = join(dataDir, 'rebuilt');
  mkdirSync(copyDir, { recursive: true });
  const served = openSqliteDatabase(join(dataDir, 'ledger.sqlite'));
  try {
    served.prepare('VACUUM INTO ?').run(join(copyDir, 'ledger.sqlite'));
  } finally {
    served.close();
  }
  const config = loadStoreConfig({ LEDGER_DATA_DIR: copyDir });
  const events = await createEventStore(config);
  const rebuilt = await openReadModelStore(config);
  try {
    await rebuildReadModels(events, rebuilt);
    return { served: await readModelsAt(dataDir), rebuilt: await readModelState(rebuilt) };
  } finally {
    await rebuilt.close();
    await events.close();
  }
}
