import { Quantity, STOCKPILE_EVENT_TYPES, STOCKPILE_STREAMS, type StockpileEvent } from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../../../../test/support/postgres/test-database';
import {
  EventLog,
  onDay,
  STORE_KINDS,
  type StoreKind,
  TestReadModels,
  tonnes,
} from '../../testing/event-log';
import type { Bitemporal } from '../bitemporal';
import { queryExposure } from '../exposure/exposure.queries';
import { inventoryReadModel } from '../inventory/inventory.projection';
import { type InventoryRow, queryInventory } from '../inventory/inventory.queries';
import { PostgresSqlDatabase } from '../postgres/postgres-sql-database';
import { EventProjector } from '../projector/projected-events';
import type { ReadModel } from '../read-model';
import { LOG_INDEX } from '../audit/log-index';
import { READ_MODELS } from '../read-models';
import type { SqlDatabase, SqlTransaction } from '../sql/sql.port';
import { SqliteSqlDatabase } from '../sqlite/sqlite-sql-database';
import { queryStockpile } from '../stockpiles/stockpiles.queries';
import { supplyReadModel } from '../supply/supply.projection';
import { LeaseLock } from './lease-lock';
import { LOCK_LEASE_MS } from './projector-lock';
import { ReadModelStore } from './read-model-store';

/*
 * The contract every read-model store adapter keeps (SQLite and PostgreSQL alike): batches applied once
 * whatever is delivered again, checkpoints moving with their batch, a model that cannot take an event stopped
 * alone, rebuilds beside the live version swapped in at once, durable Idempotency-Key records, one projector
 * at a time, and exact sums of any size.
 */

/** Events as the projector hands them to the store: upcast, with their envelope. */
const projected = (events: readonly RecordedEvent[]) => new EventProjector().project(events);

const everything: Bitemporal = { asOf: onDay('2100-01-01') };

async function inventory(readModels: TestReadModels, cut: Bitemporal = everything): Promise<InventoryRow[]> {
  return (await queryInventory(readModels.db, {}, cut, { limit: 100 })).items;
}

/** Checkpoint positions by model name. */
async function positions(store: ReadModelStore, options: { building?: boolean } = {}) {
  return Object.fromEntries([...(await store.checkpoints(options))].map(([name, c]) => [name, c.position]));
}

/** Every read model's checkpoint, and the log index's beside them (it follows the log as they do). */
const everyModelAt = (position: bigint, models: readonly ReadModel[] = READ_MODELS) =>
  Object.fromEntries([...models.map((model) => model.name), LOG_INDEX].map((name) => [name, position]));

/** The physical tables of the read models' generations (`<logical>_g<generation>`), from the catalog. */
async function generationTables(readModels: TestReadModels): Promise<string[]> {
  const rows = await readModels.db.all<{ name: string }>(
    readModels.kind === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table'"
      : `SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  return rows
    .map((row) => row.name)
    .filter((name) => /_g\d+$/.test(name))
    .sort();
}

/** The indexes of the read models' tables by logical table (`<logical>_g<generation>` without the number). */
async function generationIndexes(readModels: TestReadModels): Promise<Record<string, string[]>> {
  const rows = await readModels.db.all<{ name: string; table_name: string }>(
    readModels.kind === 'sqlite'
      ? "SELECT name, tbl_name AS table_name FROM sqlite_master WHERE type = 'index'"
      : 'SELECT indexname AS name, tablename AS table_name FROM pg_indexes WHERE schemaname = current_schema()',
  );
  const indexes: Record<string, string[]> = {};
  for (const row of rows) {
    if (!/_g\d+$/.test(row.table_name)) continue;
    const logical = row.table_name.replace(/_g\d+$/, '');
    // SQLite's automatic indexes of keys are numbered per table; PostgreSQL names them after the table
    (indexes[logical] ??= []).push(row.name.replace(/_g\d+/, '').replace(/_\d+$/, ''));
  }
  for (const names of Object.values(indexes)) names.sort();
  return indexes;
}

/** A small log over two categories: stockpile movements (two models read them) and supply statistics. */
function smallLog(): EventLog {
  const log = new EventLog('2025-01-01');
  log.establishStockpile('jp-reserve', { JP: '100' }); // 1
  log.acquire('jp-reserve', 'gallium', tonnes('10'), 'Tsukuba'); // 2
  log.tradeFlow('JP', 'CN', 'gallium', 2025, tonnes('45')); // 3
  log.acquire('jp-reserve', 'gallium', tonnes('2.5'), 'Kobe'); // 4
  log.release('jp-reserve', 'gallium', tonnes('4'), 'Tsukuba'); // 5
  log.consumption('JP', 'gallium', 2025, tonnes('60')); // 6
  log.transfer('jp-reserve', 'gallium', tonnes('1'), 'Kobe', 'Tsukuba'); // 7
  log.tradeFlow('JP', 'US', 'gallium', 2025, tonnes('5')); // 8
  return log;
}

// Balances of the small log: Tsukuba 10 − 4 + 1 = 7 t, Kobe 2.5 − 1 = 1.5 t.
const SMALL_LOG_INVENTORY: InventoryRow[] = [
  {
    stockpileId: 'jp-reserve',
    material: 'gallium',
    location: 'Kobe',
    onHand: '1500',
    acquired: '2500',
    released: '0',
    transferredIn: '0',
    transferredOut: '1000',
  },
  {
    stockpileId: 'jp-reserve',
    material: 'gallium',
    location: 'Tsukuba',
    onHand: '7000',
    acquired: '10000',
    released: '4000',
    transferredIn: '1000',
    transferredOut: '0',
  },
];

const POISON = 'Poison Hall';

/** A test read model whose projection throws on one event: an acquisition at the poisoned location. */
const throwingModel = {
  name: 'throwing_v1',
  category: STOCKPILE_STREAMS,
  handles: STOCKPILE_EVENT_TYPES,
  tables: [
    {
      name: 'throwing_rows',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (position ${d.bigint} PRIMARY KEY, event_id TEXT NOT NULL)`,
      ],
    },
  ],
  project(event) {
    if (event.type === 'StockpileAcquired' && event.data.location === POISON) {
      throw new Error(`cannot project an acquisition at ${POISON}`);
    }
    return [{ position: event.position, eventId: event.eventId }];
  },
  write(changes, tables) {
    return [
      {
        sql: `INSERT INTO ${tables('throwing_rows')} (position, event_id) VALUES (?, ?) ON CONFLICT (position) DO NOTHING`,
        rows: changes.map((change) => [change.position, change.eventId]),
      },
    ];
  },
} satisfies ReadModel<StockpileEvent, { position: bigint; eventId: string }>;

/** A test read model whose rows the database refuses for one event (a CHECK constraint). */
const refusedModel = {
  name: 'refused_v1',
  category: STOCKPILE_STREAMS,
  handles: STOCKPILE_EVENT_TYPES,
  tables: [
    {
      name: 'refused_rows',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           position ${d.bigint} PRIMARY KEY, location TEXT NOT NULL CHECK (location <> '${POISON}'))`,
      ],
    },
  ],
  project(event) {
    return event.type === 'StockpileAcquired'
      ? [{ position: event.position, location: event.data.location }]
      : [];
  },
  write(changes, tables) {
    return [
      {
        sql: `INSERT INTO ${tables('refused_rows')} (position, location) VALUES (?, ?) ON CONFLICT (position) DO NOTHING`,
        rows: changes.map((change) => [change.position, change.location]),
      },
    ];
  },
} satisfies ReadModel<StockpileEvent, { position: bigint; location: string }>;

/**
 * A store whose writer dies in the middle of its next transaction: after `afterModels` models have written
 * their rows and moved their checkpoints, the next checkpoint update throws, as if the process died there.
 * Test-only; the reader is a connection (or pool) of its own, as another process's would be.
 */
async function openDyingStore(kind: StoreKind) {
  let cleanup: () => Promise<void>;
  let databases: { reader: SqlDatabase; writer: SqlDatabase };
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-dying-'));
    const file = join(dir, 'ledger.sqlite');
    databases = { reader: SqliteSqlDatabase.open(file), writer: SqliteSqlDatabase.open(file) };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const database = await createTestDatabase();
    databases = {
      reader: PostgresSqlDatabase.open(database.url),
      writer: PostgresSqlDatabase.open(database.url),
    };
    cleanup = () => database.drop();
  }
  const crash = { armed: false, afterModels: 0, updates: 0, crashed: false };
  const writer = databases.writer;
  const dying: SqlDatabase = {
    dialect: writer.dialect,
    all: (sql, params) => writer.all(sql, params),
    tuples: (sql, params) => writer.tuples(sql, params),
    get: (sql, params) => writer.get(sql, params),
    run: (sql, params) => writer.run(sql, params),
    exec: (sql) => writer.exec(sql),
    close: () => writer.close(),
    transaction: (work) =>
      writer.transaction((tx) => {
        const dyingTx: SqlTransaction = {
          ...tx,
          run: async (sql, params) => {
            if (crash.armed && sql.trimStart().startsWith('UPDATE read_model_checkpoints')) {
              if (crash.updates === crash.afterModels) {
                crash.armed = false;
                crash.crashed = true;
                throw new Error('simulated crash in the middle of a batch');
              }
              crash.updates += 1;
            }
            return tx.run(sql, params);
          },
        };
        return work(dyingTx);
      }),
  };
  const store = new ReadModelStore(
    { reader: databases.reader, writer: dying, records: databases.reader },
    READ_MODELS,
    new LeaseLock(dying),
  );
  await store.migrate();
  return {
    store,
    crash,
    close: async () => {
      await store.close();
      await cleanup();
    },
  };
}

describe.each(STORE_KINDS)('The read-model store contract on %s', (kind) => {
  const opened: TestReadModels[] = [];
  const open = async (models?: readonly ReadModel[]) => {
    const readModels = await TestReadModels.open(kind, models);
    opened.push(readModels);
    return readModels;
  };
  // each test's stores go with it (a PostgreSQL store is a database of its own, dropped on close)
  afterEach(async () => {
    for (const readModels of opened.splice(0)) await readModels.close();
  });

  describe('apply', () => {
    it('is idempotent under re-delivery: the same batch twice leaves the same tables, balances counted once', async () => {
      const log = smallLog();
      const once = await open();
      expect(await once.store.apply(projected(log.events))).toEqual([]);
      const twice = await open();
      expect(await twice.store.apply(projected(log.events))).toEqual([]);
      expect(await twice.store.apply(projected(log.events))).toEqual([]);
      expect(await twice.dump()).toEqual(await once.dump());
      expect(await inventory(twice)).toEqual(SMALL_LOG_INVENTORY);
      expect(await twice.table('inventory_movements')).toHaveLength(5); // two acquisitions, a release, a transfer (out and in)
    });

    it('counts a delivery that starts before the checkpoint once, and a whole replay once', async () => {
      const log = smallLog();
      const reference = await open();
      await reference.feed(log.events);
      const overlapping = await open();
      await overlapping.store.apply(projected(log.events.slice(0, 4)));
      // at-least-once: the next delivery repeats 2..4 and goes on to 8; then everything once more
      await overlapping.store.apply(projected(log.events.slice(1)));
      await overlapping.store.apply(projected(log.events));
      expect(await overlapping.dump()).toEqual(await reference.dump());
      expect(await inventory(overlapping)).toEqual(SMALL_LOG_INVENTORY);
    });

    it('moves every checkpoint with its batch, to the batch’s last event, and a restart finds them there', async () => {
      const log = smallLog();
      const readModels = await open();
      expect(await positions(readModels.store)).toEqual(everyModelAt(0n));
      await readModels.store.apply(projected(log.events.slice(0, 3)));
      // every model moves past the events of other categories too
      expect(await positions(readModels.store)).toEqual(everyModelAt(3n));
      const third = log.events[2]!;
      for (const checkpoint of (await readModels.store.checkpoints()).values()) {
        expect(checkpoint.recordedAt).toBe(third.recordedAt);
      }
      // the process dies without a clean stop: a fresh store finds the committed checkpoints and goes on
      const restarted = await readModels.restart();
      expect(await positions(restarted)).toEqual(everyModelAt(3n));
      await readModels.feed(log.events.slice(3));
      expect(await positions(restarted)).toEqual(everyModelAt(log.head));
      expect(await inventory(readModels)).toEqual(SMALL_LOG_INVENTORY);
    });

    it('applies a batch in one transaction: a process that dies in the middle of it leaves nothing of it', async () => {
      const log = smallLog();
      const dying = await openDyingStore(kind);
      try {
        await dying.store.apply(projected(log.events.slice(0, 3)));
        const inventoryBefore = (await queryInventory(dying.store.reader, {}, everything, { limit: 100 }))
          .items;
        // the next batch dies after two models (stockpiles, inventory) wrote their rows and checkpoints
        Object.assign(dying.crash, { armed: true, afterModels: 2 });
        await expect(dying.store.apply(projected(log.events.slice(3)))).rejects.toThrow(
          'simulated crash in the middle of a batch',
        );
        expect(dying.crash.crashed).toBe(true);
        expect(await positions(dying.store)).toEqual(everyModelAt(3n));
        expect((await queryInventory(dying.store.reader, {}, everything, { limit: 100 })).items).toEqual(
          inventoryBefore,
        );
        // delivered again after the crash, it counts once
        expect(await dying.store.apply(projected(log.events.slice(3)))).toEqual([]);
        expect(await positions(dying.store)).toEqual(everyModelAt(log.head));
        expect((await queryInventory(dying.store.reader, {}, everything, { limit: 100 })).items).toEqual(
          SMALL_LOG_INVENTORY,
        );
      } finally {
        await dying.close();
      }
    });
  });

  describe('a read model that cannot take an event', () => {
    /** 1 established, 2 acquired at Tsukuba, 3 acquired at the poisoned location, 4 a trade flow, 5 acquired. */
    function poisonedLog(): EventLog {
      const log = new EventLog('2025-01-01');
      log.establishStockpile('jp-reserve', { JP: '100' });
      log.acquire('jp-reserve', 'gallium', tonnes('10'), 'Tsukuba');
      log.acquire('jp-reserve', 'gallium', tonnes('5'), POISON);
      log.tradeFlow('JP', 'CN', 'gallium', 2025, tonnes('45'));
      log.acquire('jp-reserve', 'gallium', tonnes('1'), 'Tsukuba');
      return log;
    }

    it('stops alone, just before the event whose projection throws; apply names model, position and event id', async () => {
      const log = poisonedLog();
      const poisoned = log.events[2]!;
      const models = [...READ_MODELS, throwingModel as unknown as ReadModel];
      const readModels = await open(models);

      const failures = await readModels.store.apply(projected(log.events));
      expect(failures).toEqual([
        {
          model: 'throwing_v1',
          position: 3n,
          eventId: poisoned.eventId,
          error: new Error(`cannot project an acquisition at ${POISON}`),
        },
      ]);
      // the others went past it, the failing model stays on the event before
      expect(await positions(readModels.store)).toEqual({ ...everyModelAt(5n), throwing_v1: 2n });
      expect((await readModels.table('throwing_rows')).map((row) => row.position)).toEqual(['1', '2']);
      // the inventory, which reads the same stream, counts the poisoned acquisition: 10 + 1 t and 5 t
      expect((await inventory(readModels)).map((row) => [row.location, row.onHand])).toEqual([
        [POISON, '5000'],
        ['Tsukuba', '11000'],
      ]);

      // delivered again, it fails again on the same event: never skipped past it
      expect(await readModels.store.apply(projected(log.events))).toEqual(failures);
      expect(await positions(readModels.store)).toEqual({ ...everyModelAt(5n), throwing_v1: 2n });

      // the others go on while it stays parked (the projector leaves it out of the next batches)
      log.acquire('jp-reserve', 'gallium', tonnes('2'), 'Tsukuba');
      const others = [...READ_MODELS.map((model) => model.name), LOG_INDEX];
      expect(await readModels.store.apply(projected(log.events.slice(5)), { models: others })).toEqual([]);
      expect(await positions(readModels.store)).toEqual({ ...everyModelAt(6n), throwing_v1: 2n });
    });

    it('stops applying pages after the first page a model fails on, with everything before it kept', async () => {
      const log = poisonedLog();
      log.acquire('jp-reserve', 'gallium', tonnes('2'), 'Tsukuba'); // 6
      const models = [...READ_MODELS, throwingModel as unknown as ReadModel];
      const readModels = await open(models);
      const events = projected(log.events);
      async function* pages() {
        for (const page of [events.slice(0, 2), events.slice(2, 4), events.slice(4)]) yield page;
      }
      const applied: bigint[] = [];
      const failures = await readModels.store.applyPages(pages(), {
        eventsPerTransaction: 3,
        onApplied: (page) => applied.push(page[page.length - 1]!.position),
      });
      expect(failures).toMatchObject([{ model: 'throwing_v1', position: 3n }]);
      // the failing page (3..4) was applied for the others, and the third page never read
      expect(applied).toEqual([2n, 4n]);
      expect(await positions(readModels.store)).toEqual({ ...everyModelAt(4n), throwing_v1: 2n });
      expect((await readModels.table('throwing_rows')).map((row) => row.position)).toEqual(['1', '2']);
    });

    it('stops alone at the event whose rows the database refuses, with the rows before it written', async () => {
      const log = poisonedLog();
      const models = [...READ_MODELS, refusedModel as unknown as ReadModel];
      const readModels = await open(models);

      const failures = await readModels.store.apply(projected(log.events));
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({
        model: 'refused_v1',
        position: 3n,
        eventId: log.events[2]!.eventId,
      });
      expect(await positions(readModels.store)).toEqual({ ...everyModelAt(5n), refused_v1: 2n });
      expect(await readModels.table('refused_rows')).toEqual([{ position: '2', location: 'Tsukuba' }]);
    });
  });

  describe('rebuild beside the live version and swap', () => {
    const rebuilt = [inventoryReadModel.name, supplyReadModel.name];

    it('builds a new generation out of sight, then switches the views to it and drops the old one', async () => {
      const log = smallLog();
      const half = log.events.slice(0, 4);
      const readModels = await open();
      await readModels.feed(log.events);
      const live = await readModels.dump();
      const tablesBefore = await generationTables(readModels);

      await readModels.store.beginRebuild(rebuilt);
      expect(await positions(readModels.store, { building: true })).toEqual({
        [inventoryReadModel.name]: 0n,
        [supplyReadModel.name]: 0n,
      });
      await readModels.store.apply(projected(half), { building: true, models: rebuilt });
      expect(await positions(readModels.store, { building: true })).toEqual({
        [inventoryReadModel.name]: 4n,
        [supplyReadModel.name]: 4n,
      });
      // readers still see the live generation, whole, and its checkpoints
      expect(await readModels.dump()).toEqual(live);
      expect(await inventory(readModels)).toEqual(SMALL_LOG_INVENTORY);
      expect(await positions(readModels.store)).toEqual(everyModelAt(log.head));

      await readModels.store.swapRebuild(rebuilt);
      // the views now show the new generation (built from the first half only), the others are untouched
      const halfway = await open();
      await halfway.feed(half);
      const halfwayTables = await halfway.dump();
      const dumped = await readModels.dump();
      for (const table of [...inventoryReadModel.tables, ...supplyReadModel.tables]) {
        expect(dumped[table.name]).toEqual(halfwayTables[table.name]);
      }
      expect(dumped.stockpiles).toEqual(live.stockpiles);
      expect(await positions(readModels.store)).toEqual({
        ...everyModelAt(log.head),
        [inventoryReadModel.name]: 4n,
        [supplyReadModel.name]: 4n,
      });
      expect(await positions(readModels.store, { building: true })).toEqual({});
      // the old generation's tables are gone, each rebuilt table has exactly one (new) generation
      const tablesAfter = await generationTables(readModels);
      const rebuiltTables = [...inventoryReadModel.tables, ...supplyReadModel.tables].map(
        (table) => table.name,
      );
      const logical = (table: string) => table.replace(/_g\d+$/, '');
      const old = tablesBefore.filter((table) => rebuiltTables.includes(logical(table)));
      expect(old).toHaveLength(rebuiltTables.length);
      expect(tablesAfter.filter((table) => old.includes(table))).toEqual([]);
      expect(tablesAfter.map(logical).sort()).toEqual(tablesBefore.map(logical).sort());

      // the new generation goes on from its own checkpoint
      await readModels.feed(log.events);
      expect(await readModels.dump()).toEqual(live);
    });

    it('loads the new generation without its secondary indexes, and creates them before the swap', async () => {
      const log = smallLog();
      const readModels = await open();
      await readModels.feed(log.events);
      const indexes = await generationIndexes(readModels);
      expect(indexes.inventory_movements).toEqual(
        expect.arrayContaining([expect.stringContaining('inventory_movements_by_balance')]),
      );

      await readModels.store.beginRebuild(rebuilt);
      await readModels.store.apply(projected(log.events), { building: true, models: rebuilt });
      // the building generation has its keys (which decide conflicts) but not the indexes for queries: the
      // only index by balance is the live generation's
      const byBalance = await readModels.db.all<{ name: string }>(
        readModels.kind === 'sqlite'
          ? "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'inventory_movements_g%_by_balance'"
          : "SELECT indexname AS name FROM pg_indexes WHERE indexname LIKE 'inventory_movements_g%_by_balance'",
      );
      expect(byBalance).toHaveLength(1);

      await readModels.store.swapRebuild(rebuilt);
      expect(await generationIndexes(readModels)).toEqual(indexes);
    });

    it('swaps all or nothing: a model without a rebuild refuses the whole swap', async () => {
      const log = smallLog();
      const readModels = await open();
      await readModels.feed(log.events);
      const live = await readModels.dump();
      const tablesBefore = await generationTables(readModels);
      await readModels.store.beginRebuild([inventoryReadModel.name]);

      // inventory first (it has a rebuild, empty), then supply (none): nothing may switch
      await expect(readModels.store.swapRebuild(rebuilt)).rejects.toThrow(
        `no rebuild of ${supplyReadModel.name}`,
      );
      expect(await readModels.dump()).toEqual(live);
      expect(await positions(readModels.store)).toEqual(everyModelAt(log.head));
      expect(await positions(readModels.store, { building: true })).toEqual({
        [inventoryReadModel.name]: 0n,
      });
      const tablesDuring = await generationTables(readModels);
      expect(tablesBefore.every((table) => tablesDuring.includes(table))).toBe(true);

      // a new beginRebuild drops what the interrupted one left
      await readModels.store.beginRebuild([inventoryReadModel.name]);
      const tablesAgain = await generationTables(readModels);
      expect(tablesAgain).toHaveLength(tablesDuring.length);
      expect(tablesDuring.filter((table) => !tablesAgain.includes(table))).toHaveLength(
        inventoryReadModel.tables.length,
      );
    });
  });

  describe('Idempotency-Key records', () => {
    it('claims a new key, refuses another body under it, replays the stored response', async () => {
      const readModels = await open();
      const records = readModels.store.idempotency;
      expect(await records.claim('recorder-jp', 'key-1', 'fingerprint-a')).toEqual({
        outcome: 'proceed',
        earlierTry: false,
      });
      // the same key with another body: refused, while the first request runs and after it
      expect(await records.claim('recorder-jp', 'key-1', 'fingerprint-b')).toEqual({ outcome: 'mismatch' });
      await records.complete('recorder-jp', 'key-1', { status: 201, body: { position: '7', ids: ['a'] } });
      expect(await records.claim('recorder-jp', 'key-1', 'fingerprint-a')).toEqual({
        outcome: 'replay',
        response: { status: 201, body: { position: '7', ids: ['a'] } },
      });
      expect(await records.claim('recorder-jp', 'key-1', 'fingerprint-b')).toEqual({ outcome: 'mismatch' });
      // keys are scoped per API key name
      expect(await records.claim('recorder-ca', 'key-1', 'fingerprint-b')).toEqual({
        outcome: 'proceed',
        earlierTry: false,
      });
      // a completed record outlives the process
      const restarted = await readModels.restart();
      expect(await restarted.idempotency.claim('recorder-jp', 'key-1', 'fingerprint-a')).toMatchObject({
        outcome: 'replay',
      });
    });

    it('tells an earlier try that never completed, and frees a key whose command failed', async () => {
      const readModels = await open();
      const records = readModels.store.idempotency;
      expect(await records.claim('recorder-jp', 'key-2', 'fingerprint-a')).toEqual({
        outcome: 'proceed',
        earlierTry: false,
      });
      // claimed and never completed (the process crashed, or the request is still running): it may have appended
      expect(await records.claim('recorder-jp', 'key-2', 'fingerprint-a')).toEqual({
        outcome: 'proceed',
        earlierTry: true,
      });
      // the command failed: the key is released and a retry starts afresh, even with another body
      await records.release('recorder-jp', 'key-2');
      expect(await records.claim('recorder-jp', 'key-2', 'fingerprint-b')).toEqual({
        outcome: 'proceed',
        earlierTry: false,
      });
      // a completed record is never released
      await records.complete('recorder-jp', 'key-2', { status: 200, body: null });
      await records.release('recorder-jp', 'key-2');
      expect(await records.claim('recorder-jp', 'key-2', 'fingerprint-b')).toEqual({
        outcome: 'replay',
        response: { status: 200, body: null },
      });
    });
  });

  describe('the projector lock', () => {
    it('has one owner at a time; another takes over once it is released', async () => {
      const readModels = await open();
      // two processes on the same store: the first one's store stays open beside the second's
      const first = readModels.store;
      const second = await readModels.restart();
      try {
        expect(await first.lock.holder()).toBeUndefined();
        expect(await first.lock.tryAcquire('projector-a')).toBe(true);
        expect(await second.lock.tryAcquire('projector-b')).toBe(false);
        expect(await second.lock.holder()).toMatchObject({ owner: 'projector-a' });
        expect(await first.lock.renew('projector-a')).toBe(true);
        expect(await second.lock.tryAcquire('projector-b')).toBe(false);

        await first.lock.release('projector-a');
        expect(await second.lock.tryAcquire('projector-b')).toBe(true);
        expect(await first.lock.holder()).toMatchObject({ owner: 'projector-b' });
        // the first has lost it: it neither renews nor takes it back while the second holds it
        expect(await first.lock.renew('projector-a')).toBe(false);
        expect(await first.lock.tryAcquire('projector-a')).toBe(false);
      } finally {
        await first.lock.release('projector-a');
        await second.lock.release('projector-b');
        await first.lock.close();
        await second.lock.close();
      }
    });

    if (kind === 'postgres') {
      it('passes to another process the moment the holder’s connection dies', async () => {
        const readModels = await open();
        const first = readModels.store;
        const second = await readModels.restart();
        try {
          expect(await first.lock.tryAcquire('projector-a')).toBe(true);
          expect(await second.lock.tryAcquire('projector-b')).toBe(false);
          // the holder dies: its connection closes without a release (the lease row still names it)
          await first.lock.close();
          expect(await second.lock.tryAcquire('projector-b')).toBe(true);
          expect(await second.lock.holder()).toMatchObject({ owner: 'projector-b' });
        } finally {
          await second.lock.release('projector-b');
          await second.lock.close();
        }
      });
    }
  });

  describe('many rows in one statement', () => {
    it('writes texts exactly, whatever characters they hold', async () => {
      // quotes, backslashes, separators and braces of array and row syntaxes, a text that reads NULL
      const locations = ['a"b', 'c\\d', '{e,f}', 'NULL', '', ' g h ', "i'j", 'ünï\tcödé', '\\"', '(k, l)'];
      const log = new EventLog('2025-01-01');
      log.establishStockpile('jp-reserve', { JP: '100' });
      for (const location of locations) log.acquire('jp-reserve', 'gallium', tonnes('1'), location);
      const readModels = await open([...READ_MODELS, refusedModel as unknown as ReadModel]);
      // one batch: each table's rows go in one multi-row statement
      expect(await readModels.store.apply(projected(log.events))).toEqual([]);
      expect((await readModels.table('refused_rows')).map((row) => row.location).sort()).toEqual(
        [...locations].sort(),
      );
      expect((await inventory(readModels)).map((row) => row.location).sort()).toEqual([...locations].sort());
    });
  });

  describe('rows as arrays', () => {
    it('answers each row as its columns in the order the statement names them, for that call only', async () => {
      const log = new EventLog('2025-01-01');
      log.establishStockpile('jp-reserve', { JP: '100' });
      log.acquire('jp-reserve', 'gallium', tonnes('2'), 'port');
      log.acquire('jp-reserve', 'gallium', tonnes('3'), 'north');
      const readModels = await open();
      expect(await readModels.store.apply(projected(log.events))).toEqual([]);
      const sql = 'SELECT location, last_position, stockpile_id FROM inventory_balances ORDER BY location';
      const objects = await readModels.db.all<{
        location: string;
        last_position: unknown;
        stockpile_id: string;
      }>(sql);
      const arrays = await readModels.db.tuples<[string, unknown, string]>(sql);
      expect(arrays.map(([location, , stockpileId]) => [location, stockpileId])).toEqual([
        ['north', 'jp-reserve'],
        ['port', 'jp-reserve'],
      ]);
      expect(arrays).toEqual(objects.map((row) => [row.location, row.last_position, row.stockpile_id]));
      // the same statement as objects again: arrays were asked for one call, not for the statement
      expect(await readModels.db.all(sql)).toEqual(objects);
    });
  });

  describe('exact sums', () => {
    // 10^19 kg = 10^22 g, beyond 2^63 − 1 ≈ 9.22 × 10^18 even in kilograms. Stored events carry no bound
    // (only commands do), so a read model must sum whatever it is given without overflow or rounding.
    const huge = Quantity.ofGrams(10n ** 22n).toJSON();

    it('keeps a balance of twice 10^19 kg exact, counted once when delivered again', async () => {
      const log = new EventLog('2025-01-01');
      log.establishStockpile('jp-reserve', { JP: '100' });
      log.acquire('jp-reserve', 'gallium', huge, 'Tsukuba', { recordedAt: '2025-02-01' });
      log.acquire('jp-reserve', 'gallium', huge, 'Tsukuba', { recordedAt: '2025-03-01' });
      const readModels = await open();
      await readModels.feed(log.events);
      await readModels.store.apply(projected(log.events)); // delivered again

      expect(huge).toEqual({ amount: '10000000000000000000', unit: 'kg' });
      // 2 × 10^19 kg = 20,000,000,000,000,000,000 kg: the running total (the balance row)
      expect(await inventory(readModels)).toEqual([
        {
          stockpileId: 'jp-reserve',
          material: 'gallium',
          location: 'Tsukuba',
          onHand: '20000000000000000000',
          acquired: '20000000000000000000',
          released: '0',
          transferredIn: '0',
          transferredOut: '0',
        },
      ]);
      expect((await readModels.table('inventory_balances'))[0]).toMatchObject({
        acquired: '20000000000000000000000',
      });
      // and summed from the movements at a past cut: between the two acquisitions, and known at the first
      expect((await inventory(readModels, { asOf: onDay('2025-02-15') }))[0]?.onHand).toBe(
        '10000000000000000000',
      );
      expect((await inventory(readModels, { ...everything, knownAt: { position: 3n } }))[0]?.onHand).toBe(
        '20000000000000000000',
      );
      expect((await inventory(readModels, { ...everything, knownAt: { position: 2n } }))[0]?.onHand).toBe(
        '10000000000000000000',
      );
      // the reports built on it: the stockpile and JP's attributable holding (100 %)
      expect((await queryStockpile(readModels.db, 'jp-reserve', everything))?.balances[0]?.onHand).toBe(
        '20000000000000000000',
      );
      expect((await queryExposure(readModels.db, 'JP', 'gallium', everything)).stockpileHolding).toBe(
        '20000000000000000000',
      );
    });
  });
});

describe('The SQLite lease lock', () => {
  // Two processes' connections to one file, and a clock the test moves.
  let dir: string;
  let databases: SqliteSqlDatabase[];
  let now: number;
  const clock = () => now;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-lease-'));
    const file = join(dir, 'ledger.sqlite');
    databases = [SqliteSqlDatabase.open(file), SqliteSqlDatabase.open(file)];
    const setup = new LeaseLock(databases[0]!, clock);
    for (const statement of setup.ddl(databases[0]!.dialect)) await databases[0]!.run(statement);
    now = Date.parse('2026-03-26T12:00:00.000Z');
  });
  afterEach(async () => {
    for (const database of databases) await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes to another process once the holder stopped renewing it for longer than the lease', async () => {
    const a = new LeaseLock(databases[0]!, clock);
    const b = new LeaseLock(databases[1]!, clock);
    expect(await a.tryAcquire('projector-a')).toBe(true);
    const since = new Date(now).toISOString();

    // renewed within the lease: held, counted from the renewal
    now += LOCK_LEASE_MS - 1000;
    expect(await a.renew('projector-a')).toBe(true);
    const lastHeartbeat = now;
    now += LOCK_LEASE_MS - 1;
    expect(await b.tryAcquire('projector-b')).toBe(false);

    // a holder that stops renewing keeps it for the whole lease, to the millisecond
    now = lastHeartbeat + LOCK_LEASE_MS;
    expect(await b.tryAcquire('projector-b')).toBe(false);
    expect(await b.holder()).toEqual({
      owner: 'projector-a',
      since,
      heartbeatAt: new Date(lastHeartbeat).toISOString(),
    });
    now = lastHeartbeat + LOCK_LEASE_MS + 1;
    expect(await b.tryAcquire('projector-b')).toBe(true);
    expect(await a.holder()).toEqual({
      owner: 'projector-b',
      since: new Date(now).toISOString(),
      heartbeatAt: new Date(now).toISOString(),
    });
    // the old holder wakes up: it has lost it and cannot take it back while the new one renews
    expect(await a.renew('projector-a')).toBe(false);
    now += 1000;
    expect(await b.renew('projector-b')).toBe(true);
    expect(await a.tryAcquire('projector-a')).toBe(false);
  });
});
