import {
  type AppendResult,
  CommandHandler,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  openSqliteDatabase,
  type SqliteDatabase,
  SqliteEventStore,
  StoreUnavailableError,
} from '@ledger/event-store';
import {
  type Instant,
  parseCountry,
  parseMaterial,
  Quantity,
  stockpileDecider,
  stockpileStreamId,
} from '@ledger/domain';
import type { Response } from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRequest } from './command-request';
import { CommandRunner } from './command-runner';
import { openMemoryReadModelStore, type ReadModelStore } from '@ledger/projections';
import { LedgerMetrics } from '../observability/ledger-metrics';

/** Test double around the real SQLite store: the next append commits, then reports the store unreachable. */
class AnswerLostStore extends SqliteEventStore {
  loseNextAnswer = false;
  override async append(
    streamId: string,
    events: EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const result = await super.append(streamId, events, expected);
    if (!this.loseNextAnswer) return result;
    this.loseNextAnswer = false;
    throw new StoreUnavailableError('the answer was lost after the commit');
  }
}

describe('CommandRunner', () => {
  let folder: string;
  let db: SqliteDatabase;
  let store: AnswerLostStore;
  let runner: CommandRunner;
  let readModels: ReadModelStore;

  const response = { status: () => response, setHeader: () => response } as unknown as Response;
  const request = (idempotencyKey: string, body: unknown): CommandRequest => ({
    principal: { name: 'jogmec', roles: ['recorder'], countries: ['JP'] },
    correlationId: 'c-1',
    idempotencyKey,
    fingerprint: JSON.stringify(body),
    newEntityId: (role) => `${role}-${idempotencyKey}`,
  });
  const acquire = (lotId: string) => ({
    decider: stockpileDecider,
    streamId: stockpileStreamId('reserve'),
    command: {
      type: 'AcquireStock' as const,
      stockpileId: 'reserve',
      effectiveAt: '2026-02-01T00:00:00.000Z' as Instant,
      now: '2026-02-01T00:00:00.000Z' as Instant,
      lotId,
      material: parseMaterial('gallium'),
      quantity: Quantity.parse({ amount: '1', unit: 't' }),
      location: 'Tsukuba',
      originCountry: parseCountry('CA'),
    },
  });

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'runner-'));
    db = openSqliteDatabase(join(folder, 'ledger.sqlite'));
    store = new AnswerLostStore(db);
    readModels = await openMemoryReadModelStore();
    runner = new CommandRunner(new CommandHandler(store as EventStore), readModels, new LedgerMetrics());
    await runner.run(request('establish', 'e'), response, {
      decider: stockpileDecider,
      streamId: stockpileStreamId('reserve'),
      command: {
        type: 'EstablishStockpile',
        stockpileId: 'reserve',
        effectiveAt: '2026-01-01T00:00:00.000Z' as Instant,
        now: '2026-01-01T00:00:00.000Z' as Instant,
        name: 'Reserve',
        custodian: 'JOGMEC',
        participants: [{ country: parseCountry('JP'), sharePercent: '100' }],
      },
    });
  });
  afterEach(async () => {
    await readModels.close();
    db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers a retry after a lost answer from the committed events, even once other commands moved on', async () => {
    store.loseNextAnswer = true;
    await expect(runner.run(request('lot-1', 'a'), response, acquire('lot-1'))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    // Another command on the same stream moves the handler's cached fold past the lost append.
    await runner.run(request('lot-2', 'b'), response, acquire('lot-2'));

    const retried = await runner.run(request('lot-1', 'a'), response, acquire('lot-1'));

    const stored = await store.readStream(stockpileStreamId('reserve'));
    expect(stored.map((event) => (event.data as { lotId?: string }).lotId)).toEqual([
      undefined,
      'lot-1',
      'lot-2',
    ]);
    expect(retried).toMatchObject({ revision: '1', eventIds: [stored[1]!.eventId] });
  });
});
