import {
  type AcquireStock,
  type Decider,
  DomainError,
  type Instant,
  parseCountry,
  parseMaterial,
  Quantity,
  type ReleaseStock,
  type StockpileCommand,
  stockpileDecider,
  type StockpileEvent,
  type StockpileState,
  stockpileStreamId,
} from '@ledger/domain';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamBusyError } from './command-errors';
import { CommandHandler } from './command-handler';
import { type EventStore, WrongExpectedRevisionError } from './event-store.port';
import { verifyChains } from './chain-verifier';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite/sqlite-database';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

const STREAM = stockpileStreamId('reserve');
const NOW = '2026-06-01T00:00:00.000Z' as Instant;
const context = { actor: { name: 'test', roles: ['admin'] }, correlationId: 'c' };

const establish: StockpileCommand = {
  type: 'EstablishStockpile',
  stockpileId: 'reserve',
  effectiveAt: '2026-01-01T00:00:00.000Z' as Instant,
  now: NOW,
  name: 'Reserve',
  custodian: 'JOGMEC',
  participants: [{ country: parseCountry('JP'), sharePercent: '100' }],
};
const acquire = (lotId: string, tonnes = '10'): AcquireStock => ({
  type: 'AcquireStock',
  stockpileId: 'reserve',
  effectiveAt: '2026-02-01T00:00:00.000Z' as Instant,
  now: NOW,
  lotId,
  material: parseMaterial('gallium'),
  quantity: Quantity.parse({ amount: tonnes, unit: 't' }),
  location: 'Yokohama',
  originCountry: parseCountry('CA'),
});
const release = (releaseId: string, tonnes: string): ReleaseStock => ({
  type: 'ReleaseStock',
  stockpileId: 'reserve',
  effectiveAt: '2026-03-01T00:00:00.000Z' as Instant,
  now: NOW,
  releaseId,
  material: parseMaterial('gallium'),
  quantity: Quantity.parse({ amount: tonnes, unit: 't' }),
  location: 'Yokohama',
  recipient: 'Maker',
  recipientCountry: parseCountry('JP'),
  reason: 'shortage',
  authorisationRef: 'ref',
});

/** Counts the appends a store has been asked for but not yet answered, and the refusals it gave. */
function watched(store: EventStore) {
  const stats = { inFlight: 0, mostInFlight: 0, conflicts: 0, appends: 0 };
  const append = store.append.bind(store);
  store.append = async (...args) => {
    stats.appends += 1;
    stats.inFlight += 1;
    stats.mostInFlight = Math.max(stats.mostInFlight, stats.inFlight);
    try {
      return await append(...args);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) stats.conflicts += 1;
      throw error;
    } finally {
      stats.inFlight -= 1;
    }
  };
  return stats;
}

describe('CommandHandler', () => {
  let folder: string;
  let db: SqliteDatabase;
  let store: SqliteEventStore;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'ledger-handler-'));
    db = openSqliteDatabase(join(folder, 'ledger.sqlite'));
    store = new SqliteEventStore(db);
  });
  afterEach(() => {
    db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const run = (handler: CommandHandler, command: StockpileCommand) =>
    handler.handle({ decider: stockpileDecider, streamId: STREAM, command, context });

  describe('with many writers on one stream in one process', () => {
    it('accepts every command without a conflict, deciding each on the state the ones before it leave', async () => {
      const handler = new CommandHandler(store);
      await run(handler, establish);
      const stats = watched(store);

      const results = await Promise.all(
        Array.from({ length: 32 }, (_unused, index) => run(handler, acquire(`lot-${index}`))),
      );

      expect(results.map((result) => result.revision).sort((a, b) => Number(a - b))).toEqual(
        Array.from({ length: 32 }, (_unused, index) => BigInt(index + 1)),
      );
      expect(stats.conflicts).toBe(0);
      // pipelined: appends were handed to the store before the ones ahead of them had committed
      expect(stats.mostInFlight).toBeGreaterThan(1);
      expect(verifyChains(await store.readAll({ limit: 100 })).verified).toBe(true);
    });

    it('makes a refusal final only on committed state', async () => {
      const handler = new CommandHandler(store);
      await run(handler, establish);
      // the release is decided while the acquisition is still in flight
      const outcomes = await Promise.allSettled([
        run(handler, acquire('lot-1', '10')),
        run(handler, release('too-much', '15')),
        run(handler, release('fits', '5')),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(((outcomes[1] as PromiseRejectedResult).reason as DomainError).code).toBe('insufficient-stock');
      expect((await store.readStream(STREAM)).map((event) => event.type)).toEqual([
        'StockpileEstablished',
        'StockpileAcquired',
        'StockpileReleased',
      ]);
    });

    it('refuses a command once too many wait for its stream, with StreamBusyError', async () => {
      const handler = new CommandHandler(store, { maxQueuedPerStream: 4 });
      await run(handler, establish);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_unused, index) => run(handler, acquire(`lot-${index}`))),
      );
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(refused).toHaveLength(2);
      for (const outcome of refused) expect(outcome.reason).toBeInstanceOf(StreamBusyError);
    });
  });

  describe('with writers in another process', () => {
    it('decides again on a fresh read when another process moved the stream, never on a stale state', async () => {
      // a second handler on the same file stands for a second API process
      const ours = new CommandHandler(store, { backoff: async () => undefined });
      const theirs = new CommandHandler(new SqliteEventStore(db));
      await run(ours, establish);
      await run(ours, acquire('lot-0', '10'));
      // the other process releases everything; our cached fold does not know
      await run(theirs, release('theirs', '10'));

      const stats = watched(store);
      const outcomes = await Promise.allSettled([
        run(ours, acquire('lot-1', '1')),
        run(ours, release('ours', '5')),
        run(ours, acquire('lot-2', '1')),
      ]);

      // the pipelined appends failed on the other process's event, were decided again, and the release
      // is refused on the true balance (2 t), not accepted on the stale one
      expect(stats.conflicts).toBeGreaterThan(0);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const types = (await store.readStream(STREAM)).map((event) => event.type);
      expect(types).toEqual([
        'StockpileEstablished',
        'StockpileAcquired',
        'StockpileReleased',
        'StockpileAcquired',
        'StockpileAcquired',
      ]);
      expect(verifyChains(await store.readAll({ limit: 100 })).verified).toBe(true);
    });
  });

  it('refuses, and appends nothing, when the decided events cannot be folded into the state', async () => {
    const handler = new CommandHandler(store);
    await run(handler, establish);
    const unfoldable: Decider<StockpileCommand, StockpileEvent, StockpileState> = {
      ...stockpileDecider,
      evolve: (state, event) => {
        if (event.type === 'StockpileAcquired') {
          throw new DomainError('invalid', 'out-of-range', 'the state cannot hold this', 'quantity');
        }
        return stockpileDecider.evolve(state, event);
      },
    };
    await expect(
      handler.handle({ decider: unfoldable, streamId: STREAM, command: acquire('lot-1'), context }),
    ).rejects.toMatchObject({ code: 'out-of-range' });
    expect(await store.readStream(STREAM)).toHaveLength(1);
  });
});
