// The skipped-event test, against a REAL PostgreSQL (see postgres-event-store.spec.ts). A log whose
// positions come from a sequence fails it: a transaction that drew a lower position but commits later is
// invisible to a reader that has already passed that position, and that reader never sees it.
import { join } from 'node:path';
import { appendConcurrently } from '../../../../test/support/postgres/concurrent-appender';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/postgres/test-database';
import { runTypeScriptProcess } from '../../../../test/support/postgres/ts-process';
import type { RecordedEvent } from '../event-envelope';
import { PostgresEventStore } from './postgres-event-store';

const WRITER_STORES = 4;
const STREAMS_PER_WRITER = 6;
const APPENDS_PER_STREAM = 40;

describe('PostgresEventStore global order', () => {
  let database: TestDatabase;
  const stores: PostgresEventStore[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await database.drop();
  });

  it('shows catch-up readers every committed event exactly once, in dense position order, while many processes append', async () => {
    const open = async () => {
      const store = await PostgresEventStore.open(database.url, { poolSize: 4 });
      stores.push(store);
      return store;
    };
    const reader = await open();
    const writers = await Promise.all(Array.from({ length: WRITER_STORES }, open));

    // Two catch-up readers from the start of the log: a subscription, and a loop polling readAll as fast
    // as it can in small pages, which gives a late commit below its position every chance to be missed.
    const subscribed: RecordedEvent[] = [];
    let subscribedHead = 0n;
    let subscriptionReached: ((position: bigint) => void) | undefined;
    const subscription = reader.subscribeToAll({
      fromPosition: 0n,
      batchSize: 25,
      onEvents: (events) => {
        subscribed.push(...events);
        subscribedHead = events[events.length - 1]!.position;
        subscriptionReached?.(subscribedHead);
      },
    });
    let finalHead: bigint | undefined = undefined;
    const polled: RecordedEvent[] = [];
    const polling = (async () => {
      let position = 0n;
      while (finalHead === undefined || position < finalHead) {
        const page = await reader.readAll({ fromPosition: position, limit: 10 });
        if (page.length > 0) position = page[page.length - 1]!.position;
        polled.push(...page);
        if (page.length === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    // Appenders: several stores (each its own pool and group commits) in this process, and another process.
    const child = runTypeScriptProcess(
      join(__dirname, '../../../../test/support/postgres/concurrent-appender.ts'),
      [database.url, 'other', String(STREAMS_PER_WRITER), String(APPENDS_PER_STREAM)],
    );
    const committedHere = await Promise.all(
      writers.map((writer, w) =>
        appendConcurrently(writer, `writer${w}`, STREAMS_PER_WRITER, APPENDS_PER_STREAM),
      ),
    );
    const other = await child;
    expect(other).toMatchObject({ code: 0, stderr: '' });
    const committed = [
      ...committedHere.flat(),
      ...(JSON.parse(other.stdout) as { committed: string[] }).committed,
    ];
    expect(committed).toHaveLength((WRITER_STORES + 1) * STREAMS_PER_WRITER * APPENDS_PER_STREAM * 1.5);

    // Both readers run until they have passed the last position, whatever they saw on the way.
    finalHead = await reader.headPosition();
    await polling;
    await new Promise<void>((resolve) => {
      subscriptionReached = (position) => position >= finalHead! && resolve();
      subscriptionReached(subscribedHead);
    });
    await subscription.stop();

    // What each reader saw, summed up so that a failure shows both readers at once.
    const report = (seen: RecordedEvent[]) => {
      const ids = new Set(seen.map((event) => event.eventId));
      const times = seen.map((event) => event.recordedAt);
      return {
        missed: committed.filter((id) => !ids.has(id)).length,
        deliveredTwice: seen.length - ids.size,
        positionsAreOneToN: seen.every((event, i) => event.position === BigInt(i + 1)),
        recordedAtNeverDecreases: times.every((time, i) => i === 0 || times[i - 1]! <= time),
      };
    };
    const perfect = {
      missed: 0,
      deliveredTwice: 0,
      positionsAreOneToN: true,
      recordedAtNeverDecreases: true,
    };
    expect({ subscribeToAll: report(subscribed), readAllPolling: report(polled) }).toEqual({
      subscribeToAll: perfect,
      readAllPolling: perfect,
    });
    expect(subscribed).toHaveLength(committed.length);
    expect(polled).toHaveLength(committed.length);
    expect(finalHead).toBe(BigInt(committed.length));
  }, 60_000);
});
