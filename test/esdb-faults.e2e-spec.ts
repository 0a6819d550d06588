import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  createEventStore,
  type EventStore,
  loadStoreConfig,
  openSqliteDatabase,
  type RecordedEvent,
  type SqliteDatabase,
  sqliteFileOf,
  type SubscribeOptions,
} from '@ledger/event-store';
import { openReadModelStore, Projector, type ReadModelStore } from '@ledger/projections';
import { ProjectorModule } from '../apps/projector/src/projector.module';
import { EsdbTestDouble } from './support/esdb-double/esdb-test-double';
import { expectProblem, LedgerHarness } from './support/ledger-harness';

// Faults of a distributed deployment, injected into the EventStoreDB gRPC TEST DOUBLE
// (test/support/esdb-double): the real client and adapter see a dropped subscription, a timed-out append,
// and the server refusing a command (deleted stream, access denied, append too large).

const reserve = {
  id: 'ca-jp-graphite',
  name: 'Canada–Japan graphite reserve',
  custodian: 'JOGMEC',
  participants: [
    { country: 'JP', sharePercent: '60' },
    { country: 'CA', sharePercent: '40' },
  ],
  effectiveAt: '2026-01-15',
};
const lot = (tonnes: number) => ({
  material: 'graphite-anode',
  quantity: { amount: String(tonnes), unit: 't' },
  location: 'Yokohama',
  originCountry: 'CA',
  effectiveAt: '2026-02-01',
});
const STREAM = 'stockpile-ca-jp-graphite';

/** The store, with a handler that takes a while: batches are still in flight when the server drops us. */
function slowed(store: EventStore, ms: number): EventStore {
  return Object.assign(Object.create(store) as EventStore, {
    subscribeToAll: (options: SubscribeOptions) =>
      store.subscribeToAll({
        ...options,
        onEvents: async (events: RecordedEvent[]) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          await options.onEvents(events);
        },
      }),
  });
}

const until = async (condition: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
};

describe('EventStoreDB faults (against the gRPC test double)', () => {
  let double: EsdbTestDouble;
  let ledger: LedgerHarness;

  afterEach(async () => {
    await ledger?.stop();
    await double?.stop();
  });

  describe('when the subscription is dropped mid-stream', () => {
    let db: SqliteDatabase;
    let store: EventStore;
    let readModels: ReadModelStore;

    afterEach(async () => {
      await readModels?.close();
      await store?.close();
      db?.close();
    });

    it('resumes from the checkpoint with no gap and no duplicate effect on the read models', async () => {
      double = await EsdbTestDouble.start({ batchAppend: true });
      const env = { LEDGER_EVENT_STORE: double.connectionString(), LEDGER_PROJECTOR: 'external' };
      ledger = await LedgerHarness.start(env);
      // The projector runs here, as apps/projector would, on the API's SQLite file and the same server.
      const config = loadStoreConfig({ ...env, LEDGER_DATA_DIR: ledger.dataDir });
      db = openSqliteDatabase(sqliteFileOf(config));
      store = await createEventStore(config, db);
      readModels = await openReadModelStore(config);
      const warnings: string[] = [];
      const logger = {
        log: () => undefined,
        warn: (line: string) => warnings.push(line),
        error: () => undefined,
      };
      const projector = new Projector(slowed(store, 15), readModels, { batchSize: 2, logger });

      await ledger.post('/stockpiles', reserve, 'jogmec');
      let backlogEnd = 0n;
      for (let i = 1; i <= 12; i += 1) {
        const acquired = await ledger.post('/stockpiles/ca-jp-graphite/acquisitions', lot(i));
        backlogEnd = BigInt(acquired.body.position);
      }
      projector.start();
      // Catching up in batches of two: drop the subscription while most of the backlog is still to come.
      expect(await until(() => projector.position() > 0n)).toBe(true);
      const checkpointAtDrop = projector.position();
      expect(double.dropSubscriptions()).toBe(1);
      expect(checkpointAtDrop).toBeLessThan(backlogEnd); // mid-stream: most of the backlog still to handle
      // More events while the subscription is down or resubscribing.
      for (let i = 13; i <= 20; i += 1) await ledger.post('/stockpiles/ca-jp-graphite/acquisitions', lot(i));
      const last = await ledger.post('/stockpiles/ca-jp-graphite/acquisitions', lot(21));

      const inventory = await ledger.get(`/inventory?minPosition=${last.body.position}`);
      expect(inventory.status).toBe(200);
      // 1 + 2 + ... + 21 tonnes, each applied exactly once.
      expect(inventory.body.rows).toEqual([
        expect.objectContaining({ acquired: '231000', onHand: '231000' }),
      ]);
      // the drop was seen as the store being unavailable for a moment, and retried
      expect(warnings.some((line) => /reading the log failed .*retrying/.test(line))).toBe(true);
      // The resubscription started strictly after a position at or beyond the checkpoint held at the drop.
      const resumed = double.subscriptionStarts.slice(1);
      expect(resumed.length).toBeGreaterThanOrEqual(1);
      expect(resumed[0]!.commit).toBeGreaterThanOrEqual(checkpointAtDrop);

      // A crash and a restart: a new projector resumes from the stored checkpoint, exclusive.
      await projector.stop();
      const restarted = new Projector(store, readModels);
      const stored = [...(await readModels.checkpoints()).values()].map((checkpoint) => checkpoint.position);
      expect(stored.every((position) => position === BigInt(last.body.position))).toBe(true);
      restarted.start();
      const more = await ledger.post('/stockpiles/ca-jp-graphite/acquisitions', lot(1));
      expect(await restarted.waitFor(BigInt(more.body.position), 5000)).toBe(true);
      expect(double.subscriptionStarts[double.subscriptionStarts.length - 1]).toEqual({
        commit: BigInt(last.body.position),
        prepare: BigInt(last.body.position),
      });
      await restarted.stop();
      const after = await ledger.get(`/inventory?minPosition=${more.body.position}`);
      expect(after.body.rows[0].onHand).toBe('232000');
    }, 30_000);
  });

  describe.each([
    ['Append, answered after the client deadline', false],
    ['BatchAppend, answered with a server timeout', true],
  ])('when an append times out after its commit (%s)', (_path, batchAppend) => {
    it('answers 503, and the retry with the same Idempotency-Key appends nothing more', async () => {
      double = await EsdbTestDouble.start({ batchAppend });
      ledger = await LedgerHarness.start({
        LEDGER_EVENT_STORE: double.connectionString('defaultDeadline=1000'),
      });
      expect((await ledger.post('/stockpiles', reserve, 'jogmec')).status).toBe(201);

      double.failNextAppendAfterCommit({ kind: 'delay', ms: 3000, stream: STREAM });
      const headers = { 'idempotency-key': 'lot-2026-001' };
      const first = await ledger.post('/stockpiles/ca-jp-graphite/acquisitions', lot(1200), 'nrcan', headers);
      expectProblem(first, 503, 'unavailable');
      expect(first.headers.get('retry-after')).toBe('1');
      // The server did commit it.
      expect(double.log.stream(STREAM)).toHaveLength(2);

      const retried = await ledger.post(
        '/stockpiles/ca-jp-graphite/acquisitions',
        lot(1200),
        'nrcan',
        headers,
      );
      expect(retried.status).toBe(200);
      expect(retried.body.eventIds).toEqual([double.log.stream(STREAM)![1]!.eventId]);
      expect(BigInt(retried.body.position)).toBe(double.log.stream(STREAM)![1]!.position);
      expect(double.log.stream(STREAM)).toHaveLength(2);
      const again = await ledger.post('/stockpiles/ca-jp-graphite/acquisitions', lot(1200), 'nrcan', headers);
      expect(again.body).toEqual(retried.body);

      const inventory = await ledger.get(`/inventory?minPosition=${retried.body.position}`);
      expect(inventory.body.rows[0].onHand).toBe('1200000');
    }, 20_000);
  });

  describe('when the server refuses a command', () => {
    it('answers 410 stream-deleted for a stockpile whose stream was deleted in the store', async () => {
      double = await EsdbTestDouble.start({ batchAppend: true });
      ledger = await LedgerHarness.start({ LEDGER_EVENT_STORE: double.connectionString() });
      expect((await ledger.post('/stockpiles', reserve, 'jogmec')).status).toBe(201);
      double.tombstone(STREAM);
      expectProblem(
        await ledger.post('/stockpiles/ca-jp-graphite/acquisitions', lot(5), 'nrcan'),
        410,
        'stream-deleted',
      );
    }, 15_000);

    it('answers 413 payload-too-large for a command whose events exceed the store’s append size', async () => {
      double = await EsdbTestDouble.start({ batchAppend: true, maxAppendSize: 200 });
      ledger = await LedgerHarness.start({ LEDGER_EVENT_STORE: double.connectionString() });
      expectProblem(await ledger.post('/stockpiles', reserve, 'jogmec'), 413, 'payload-too-large');
      expect(double.log.stream(STREAM)).toBeUndefined();
    }, 15_000);

    it('answers 503 store-access-denied, without Retry-After, when the store refuses the ledger', async () => {
      double = await EsdbTestDouble.start({ batchAppend: true });
      ledger = await LedgerHarness.start({ LEDGER_EVENT_STORE: double.connectionString() });
      double.setAccessDenied(true);
      const refused = await ledger.post('/stockpiles', reserve, 'jogmec');
      expectProblem(refused, 503, 'store-access-denied');
      expect(refused.headers.get('retry-after')).toBeNull();
    }, 15_000);
  });

  describe('in the distributed layout', () => {
    let projector: INestApplication | undefined;

    afterEach(async () => {
      await projector?.close();
      projector = undefined;
    });

    it('keeps the log on the server only, and apps/projector serves the API’s read-your-writes', async () => {
      double = await EsdbTestDouble.start({ batchAppend: true });
      const env = { LEDGER_EVENT_STORE: double.connectionString(), LEDGER_PROJECTOR: 'external' };
      ledger = await LedgerHarness.start(env);
      projector = await NestFactory.create(
        ProjectorModule.forConfig(loadStoreConfig({ ...env, LEDGER_DATA_DIR: ledger.dataDir })),
        { logger: false },
      );
      await projector.init();
      await ledger.post('/stockpiles', reserve, 'jogmec');
      const acquired = await ledger.post('/stockpiles/ca-jp-graphite/acquisitions', lot(5), 'nrcan');
      const inventory = await ledger.get(`/inventory?minPosition=${acquired.body.position}`);
      expect(inventory.body.rows[0].onHand).toBe('5000');
      expect(double.log.stream(STREAM)).toHaveLength(2);
      const sqlite = openSqliteDatabase(`${ledger.dataDir}/ledger.sqlite`);
      const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      sqlite.close();
      expect(tables).not.toContain('events');
    }, 15_000);
  });
});
