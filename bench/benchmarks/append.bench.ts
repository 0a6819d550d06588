import { stockpileDecider, stockpileStreamId } from '@ledger/domain';
import {
  CommandHandler,
  createEventStore,
  type EventStore,
  newId,
  openSqliteDatabase,
  type RecordedEvent,
} from '@ledger/event-store';
import { join } from 'node:path';
import { Client } from 'pg';
import type { BenchContext } from '../bench-context';
import { type BenchResult, rateRow, seconds } from '../bench-result';
import {
  acquireCommand,
  benchContext,
  establishCommand,
  STOCKPILES,
  stockpileIdOf,
} from '../stockpile-commands';

/** Both sides get the same warm-up, untimed, so the ratio compares steady states rather than JIT warm-up. */
const warmUpOf = (commands: number) => Math.min(500, Math.ceil(commands / 5));
/** Timed rounds, the sides taking turns, so that a change of load on the shared machine hits both alike. */
const ROUNDS = 5;

/** One side of a comparison: the i-th append, one at a time. */
type Side = (i: number) => unknown;

/**
 * `commands` appends on each side after the same warm-up, in ROUNDS alternating rounds; events/s of each.
 * Commands i in [0, commands) are timed, the warm-up uses [commands, commands + warm-up).
 */
async function interleaved(
  ledger: Side,
  raw: Side,
  commands: number,
): Promise<{ ledger: number; raw: number }> {
  const warmUp = warmUpOf(commands);
  for (let i = commands; i < commands + warmUp; i += 1) await ledger(i);
  for (let i = commands; i < commands + warmUp; i += 1) await raw(i);
  const elapsed = { ledger: 0, raw: 0 };
  for (let round = 0; round < ROUNDS; round += 1) {
    const [from, to] = [
      Math.floor((round * commands) / ROUNDS),
      Math.floor(((round + 1) * commands) / ROUNDS),
    ];
    for (const side of ['ledger', 'raw'] as const) {
      const run = side === 'ledger' ? ledger : raw;
      const started = process.hrtime.bigint();
      for (let i = from; i < to; i += 1) await run(i);
      elapsed[side] += seconds(started);
    }
  }
  return { ledger: commands / elapsed.ledger, raw: commands / elapsed.raw };
}

/**
 * The ledger's side: single-event commands through the command handler, one at a time (fold from its
 * cache, decide, seal, append with the expected revision and hash link: one transaction each, since
 * nothing runs beside them), on 200 established stockpiles.
 */
async function ledgerSide(store: EventStore): Promise<Side> {
  const handler = new CommandHandler(store);
  for (let s = 0; s < STOCKPILES; s += 1) {
    await handler.handle({
      decider: stockpileDecider,
      streamId: stockpileStreamId(`s${s}`),
      context: benchContext,
      command: establishCommand(s),
    });
  }
  return (i: number) =>
    handler.handle({
      decider: stockpileDecider,
      streamId: stockpileStreamId(stockpileIdOf(i)),
      context: benchContext,
      command: acquireCommand(i),
    });
}

/** An acquisition as the ledger stored it (after a first command), whose envelope the raw side inserts. */
async function storedAcquisition(store: EventStore, ledger: Side, commands: number): Promise<RecordedEvent> {
  const probe = 3 * commands; // beyond the indices of both sides
  await ledger(probe);
  return (await store.readStream(stockpileStreamId(stockpileIdOf(probe)))).at(-1)!;
}

/** The columns a raw insert writes: the same envelope as the ledger's row. */
const rawRow = (sample: RecordedEvent, i: number) => [
  newId(),
  `stockpile-${stockpileIdOf(i)}`,
  Math.floor(i / STOCKPILES),
  sample.type,
  1,
  new Date().toISOString(),
  sample.effectiveAt,
  JSON.stringify(sample.data),
  JSON.stringify(sample.metadata),
];

/**
 * `append`: the ledger's SQLite store against raw better-sqlite3 (one INSERT of the same envelope per
 * transaction), same file settings (WAL, synchronous=FULL).
 */
export async function appendBenchmark(context: BenchContext): Promise<BenchResult> {
  const commands = context.options.commands;
  const folder = context.subfolder('append');
  const store = await createEventStore({
    dataDir: folder,
    eventStore: { kind: 'sqlite' },
    readStore: { kind: 'sqlite' },
  });
  const raw = openSqliteDatabase(join(folder, 'append-raw.sqlite'));
  try {
    const ledger = await ledgerSide(store);
    const sample = await storedAcquisition(store, ledger, commands);
    raw.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
      stream_id TEXT NOT NULL, revision INTEGER NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,
      recorded_at TEXT NOT NULL, effective_at TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
      UNIQUE (stream_id, revision))`);
    const insert = raw.prepare(`INSERT INTO events (event_id, stream_id, revision, type, schema_version,
      recorded_at, effective_at, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const rates = await interleaved(
      ledger,
      raw.transaction((i: number) => insert.run(...rawRow(sample, i))),
      commands,
    );
    return rateRow(
      'append',
      'events/s',
      rates.ledger,
      rates.raw,
      `${commands} AcquireStock commands over ${STOCKPILES} stockpiles, one at a time (one transaction each), ` +
        `${ROUNDS} rounds taking turns with the baseline; baseline: one INSERT of the same envelope per ` +
        'transaction, raw better-sqlite3; both WAL, synchronous=FULL',
    );
  } finally {
    raw.close();
    await store.close();
  }
}

/**
 * `append-postgres`: the same commands on the PostgreSQL event store against raw single-row INSERT
 * transactions (a prepared statement, autocommit: one round trip, one commit) on the same server.
 */
export async function appendPostgresBenchmark(context: BenchContext): Promise<BenchResult> {
  const commands = context.options.commands;
  const postgres = await context.postgres();
  const store = await createEventStore({
    dataDir: context.subfolder('append-postgres'),
    eventStore: { kind: 'postgres', url: await postgres.createDatabase('append') },
    readStore: { kind: 'sqlite' },
  });
  const client = new Client({ connectionString: await postgres.createDatabase('append_raw') });
  await client.connect();
  try {
    const ledger = await ledgerSide(store);
    const sample = await storedAcquisition(store, ledger, commands);
    await client.query(`CREATE TABLE events (position bigint PRIMARY KEY, event_id text NOT NULL UNIQUE,
      stream_id text NOT NULL, revision bigint NOT NULL, type text NOT NULL, schema_version integer NOT NULL,
      recorded_at text NOT NULL, effective_at text NOT NULL, data text NOT NULL, metadata text NOT NULL,
      UNIQUE (stream_id, revision))`);
    let position = 0;
    const insert = (i: number) =>
      client.query({
        name: 'insert-event',
        text: `INSERT INTO events (position, event_id, stream_id, revision, type, schema_version, recorded_at,
          effective_at, data, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        values: [(position += 1), ...rawRow(sample, i)],
      });
    const rates = await interleaved(ledger, insert, commands);
    return rateRow(
      'append-postgres',
      'events/s',
      rates.ledger,
      rates.raw,
      `${commands} AcquireStock commands over ${STOCKPILES} stockpiles, one at a time, on ${postgres.description}, ` +
        `${ROUNDS} rounds taking turns with the baseline; baseline: one prepared single-row INSERT of the same ` +
        'envelope per transaction (autocommit) with node-postgres',
    );
  } finally {
    await client.end();
    await store.close();
  }
}
