import {
  AcquireStock,
  Instant,
  parseCountry,
  parseMaterial,
  Quantity,
  stockpileDecider,
  stockpileStreamId,
} from '@ledger/domain';
import { CommandHandler, newId, openSqliteDatabase, SqliteEventStore } from '@ledger/event-store';
import { join } from 'node:path';
import { type BenchResult, round, seconds } from '../bench-result';

const STOCKPILES = 200;

/**
 * Single-event commands through the command handler (read, fold, decide, append with expected revision,
 * one SQLite transaction each) against raw better-sqlite3: one INSERT of the same envelope per transaction,
 * same file settings (WAL, synchronous=FULL).
 */
export async function appendBenchmark(folder: string, commands: number): Promise<BenchResult> {
  const db = openSqliteDatabase(join(folder, 'append.sqlite'));
  const store = new SqliteEventStore(db);
  const handler = new CommandHandler(store);
  const context = { actor: { name: 'bench', roles: ['admin'] }, correlationId: 'bench' };
  for (let s = 0; s < STOCKPILES; s += 1) {
    await handler.handle({
      decider: stockpileDecider,
      streamId: stockpileStreamId(`s${s}`),
      context,
      command: {
        type: 'EstablishStockpile',
        stockpileId: `s${s}`,
        effectiveAt: '2026-01-01T00:00:00.000Z' as Instant,
        now: '2026-01-01T00:00:00.000Z' as Instant,
        name: `S${s}`,
        custodian: 'C',
        participants: [{ country: parseCountry('JP'), sharePercent: '100' }],
      },
    });
  }
  const command = (i: number): AcquireStock => ({
    type: 'AcquireStock',
    stockpileId: `s${i % STOCKPILES}`,
    effectiveAt: '2026-02-01T00:00:00.000Z' as Instant,
    now: '2026-02-01T00:00:00.000Z' as Instant,
    lotId: `l${i}`,
    material: parseMaterial('graphite-anode'),
    quantity: Quantity.parse({ amount: '12.5', unit: 't' }),
    location: 'Yokohama',
    originCountry: parseCountry('CA'),
  });
  // Both sides get the same warm-up, untimed, so the ratio compares steady states rather than JIT warm-up.
  const WARM_UP = 500;
  for (let i = commands; i < commands + WARM_UP; i += 1) {
    await handler.handle({
      decider: stockpileDecider,
      streamId: stockpileStreamId(`s${i % STOCKPILES}`),
      context,
      command: command(i),
    });
  }
  const ledgerStart = process.hrtime.bigint();
  for (let i = 0; i < commands; i += 1) {
    await handler.handle({
      decider: stockpileDecider,
      streamId: stockpileStreamId(`s${i % STOCKPILES}`),
      context,
      command: command(i),
    });
  }
  const ledgerRate = commands / seconds(ledgerStart);
  const sample = (await store.readStream(stockpileStreamId('s1')))[1]!;
  db.close();

  const raw = openSqliteDatabase(join(folder, 'append-raw.sqlite'));
  raw.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
    stream_id TEXT NOT NULL, revision INTEGER NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,
    recorded_at TEXT NOT NULL, effective_at TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
    UNIQUE (stream_id, revision))`);
  const insert =
    raw.prepare(`INSERT INTO events (event_id, stream_id, revision, type, schema_version, recorded_at,
    effective_at, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const once = raw.transaction((i: number) =>
    insert.run(
      newId(),
      `stockpile-s${i % STOCKPILES}`,
      Math.floor(i / STOCKPILES),
      sample.type,
      1,
      new Date().toISOString(),
      sample.effectiveAt,
      JSON.stringify(sample.data),
      JSON.stringify(sample.metadata),
    ),
  );
  for (let i = commands; i < commands + WARM_UP; i += 1) once(i);
  const rawStart = process.hrtime.bigint();
  for (let i = 0; i < commands; i += 1) once(i);
  const rawRate = commands / seconds(rawStart);
  raw.close();

  return {
    name: 'append',
    unit: 'events/s',
    ledger: round(ledgerRate, 0),
    baseline: round(rawRate, 0),
    ratio: round(ledgerRate / rawRate),
    notes: `${commands} AcquireStock commands over ${STOCKPILES} stockpiles, one transaction each, synchronous=FULL`,
  };
}
