import { eventStoreContract } from '../testing/event-store.contract';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-database';
import { SqliteEventStore } from './sqlite-event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let db: SqliteDatabase | undefined;
let folder: string | undefined;

eventStoreContract(
  'SQLite',
  async () => {
    folder = mkdtempSync(join(tmpdir(), 'ledger-store-'));
    db = openSqliteDatabase(join(folder, 'ledger.sqlite'));
    return new SqliteEventStore(db);
  },
  async () => {
    db?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  },
);

describe('SqliteEventStore', () => {
  it('keeps recorded time non-decreasing even when the clock steps back', async () => {
    folder = mkdtempSync(join(tmpdir(), 'ledger-store-'));
    const database = openSqliteDatabase(join(folder, 'ledger.sqlite'));
    const times = ['2026-05-01T10:00:00.000Z', '2026-05-01T09:00:00.000Z'];
    const store = new SqliteEventStore(database, () => new Date(times.shift() ?? '2026-05-01T11:00:00.000Z'));
    const meta = { actor: { name: 't', roles: [] }, correlationId: 'c', causationId: 'c' };
    const base = {
      type: 'T',
      schemaVersion: 1,
      effectiveAt: '2026-01-01T00:00:00.000Z',
      data: {},
      metadata: meta,
    };
    await store.append('a-1', [{ ...base, eventId: '018f0000-0000-7000-8000-000000000001' }], 'no-stream');
    await store.append('a-2', [{ ...base, eventId: '018f0000-0000-7000-8000-000000000002' }], 'no-stream');
    const recorded = (await store.readAll()).map((e) => e.recordedAt);
    expect(recorded).toEqual(['2026-05-01T10:00:00.000Z', '2026-05-01T10:00:00.000Z']);
    database.close();
    rmSync(folder, { recursive: true, force: true });
  });
});
