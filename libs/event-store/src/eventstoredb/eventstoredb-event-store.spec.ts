import type { EventToAppend, RecordedEvent } from '../event-envelope';
import { newId } from '../event-ids';
import {
  AppendTooLargeError,
  StoreAccessDeniedError,
  StoreUnavailableError,
  StreamDeletedError,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { ConfigError } from '../store-config';
import { EVENTSTOREDB_GUARANTEES, eventStoreContract } from '../testing/event-store.contract';
// A protocol-level TEST DOUBLE of the server (test/support/esdb-double): the real client, a real socket.
import {
  EsdbTestDouble,
  type EsdbTestDoubleOptions,
} from '../../../../test/support/esdb-double/esdb-test-double';
import { EventStoreDbEventStore, type EventStoreDbOptions } from './eventstoredb-event-store';

let double: EsdbTestDouble | undefined;

for (const batchAppend of [false, true]) {
  eventStoreContract(
    `EventStoreDB adapter against the gRPC test double (${batchAppend ? 'BatchAppend' : 'Append'})`,
    async () => {
      double = await EsdbTestDouble.start({ batchAppend });
      return new EventStoreDbEventStore(double.connectionString());
    },
    async () => {
      await double?.stop();
    },
    // What EventStoreDB does instead is shown below ("when appending", "when reading recorded time").
    EVENTSTOREDB_GUARANTEES,
  );
}

const event = (type = 'Something', eventId = newId()): EventToAppend => ({
  eventId,
  type,
  schemaVersion: 2,
  effectiveAt: '2026-03-26T00:00:00.000Z',
  data: { n: 1 },
  metadata: { actor: { name: 'tester', roles: ['admin'] }, correlationId: 'corr-1', causationId: 'cause-1' },
});

/** Waits (5 s at most) until `condition` holds; the test's own expectation then says whether it did. */
async function eventually(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects what a subscription delivers; `until(n)` waits for n events (5 s at most). */
function collect(store: EventStoreDbEventStore, fromPosition: bigint) {
  const seen: RecordedEvent[] = [];
  const errors: unknown[] = [];
  const reports: { error: unknown; retrying: boolean }[] = [];
  const subscription = store.subscribeToAll({
    fromPosition,
    onEvents: (events) => {
      seen.push(...events);
    },
    onError: (error, retrying) => {
      errors.push(error);
      reports.push({ error, retrying });
    },
  });
  const until = async (count: number) => {
    await eventually(() => seen.length >= count);
    return seen;
  };
  return { subscription, until, seen, errors, reports };
}

const PATHS = [
  ['Append', false],
  ['BatchAppend', true],
] as const;

describe('EventStoreDbEventStore (against the gRPC test double)', () => {
  let server: EsdbTestDouble;
  let store: EventStoreDbEventStore;
  /** what each test started, stopped after it in reverse order */
  const started: (() => Promise<void>)[] = [];
  const stopLater = (stop: () => Promise<void>) => started.push(stop);

  /** A fresh double and an adapter on it; `query` adds connection-string options. */
  async function start(
    options: EsdbTestDoubleOptions = {},
    adapter: EventStoreDbOptions = {},
    query = 'defaultDeadline=800',
  ) {
    const double = await EsdbTestDouble.start(options);
    stopLater(() => double.stop());
    const created = new EventStoreDbEventStore(double.connectionString(query), {
      resubscribeMinMs: 20,
      resubscribeMaxMs: 200,
      ...adapter,
    });
    stopLater(() => created.close());
    server = double;
    store = created;
  }

  afterEach(async () => {
    for (const stop of started.splice(0).reverse()) await stop();
  });

  describe('when storing events', () => {
    beforeEach(() => start());

    it('keeps effectiveAt, schemaVersion and the metadata in the event metadata, with $correlationId', async () => {
      const appended = event('StockAcquired');
      await store.append('stockpile-a', [appended], 'no-stream');
      const stored = server.log.stream('stockpile-a')![0]!;
      expect(JSON.parse(Buffer.from(stored.customMetadata).toString('utf8'))).toEqual({
        $correlationId: 'corr-1',
        $causationId: 'cause-1',
        ledger: { schemaVersion: 2, effectiveAt: appended.effectiveAt, metadata: appended.metadata },
      });
      expect(stored.eventId).toBe(appended.eventId);
      const [read] = await store.readStream('stockpile-a');
      expect(read!.recordedAt).toBe(new Date(Number(stored.created / 10_000n)).toISOString());
    });

    it('refuses a stale append with the actual revision, and no-stream when the stream is missing', async () => {
      await store.append('thing-1', [event()], 'no-stream');
      await expect(store.append('thing-1', [event()], 'no-stream')).rejects.toMatchObject({
        name: 'WrongExpectedRevisionError',
        actual: 0n,
      });
      await expect(store.append('ghost-1', [event()], 3n)).rejects.toMatchObject({ actual: 'no-stream' });
    });

    it('appends with an explicit revision even when asked for any', async () => {
      await store.append('thing-1', [event()], 'any');
      const second = event();
      const result = await store.append('thing-1', [second], 'any');
      expect(result.revision).toBe(1n);
      // A retry of the same `any` append finds its ids at the head and writes nothing.
      expect(await store.append('thing-1', [second], 'any')).toMatchObject({
        deduplicated: true,
        revision: 1n,
      });
      expect(server.log.stream('thing-1')).toHaveLength(2);
    });
  });

  describe('when appending', () => {
    it('writes no claim stream: the log holds the ledger’s events and the server’s own only', async () => {
      await start();
      const before = server.log.records.length;
      await store.append('thing-1', [event('A'), event('B')], 'no-stream');
      await store.append('thing-2', [event('C')], 'no-stream');
      const written = server.log.records.slice(before);
      expect(written.map((record) => record.streamId)).toEqual(['thing-1', 'thing-1', 'thing-2']);
    });

    it('accepts an event id in another stream after an append with it was refused', async () => {
      // The ledger derives ids per stream; a refused append must leave nothing behind that holds its ids.
      await start();
      await store.append('thing-1', [event()], 'no-stream');
      const refused = event();
      await expect(store.append('thing-1', [refused], 'no-stream')).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      expect(await store.append('thing-2', [refused], 'no-stream')).toMatchObject({ revision: 0n });
    });

    it('appends with an explicit revision in one round trip, reading nothing first', async () => {
      await start();
      await store.append('thing-1', [event()], 'no-stream');
      await store.append('thing-1', [event(), event()], 0n);
      expect(server.readRequests['read-stream']).toBe(0);
      expect(server.appendRequests).toBe(2);
    });

    it.each(PATHS)(
      'answers a retry with the revision and position the server reports for the original (%s)',
      async (_path, batchAppend) => {
        await start({ batchAppend, idempotentAnswer: 'original-position' });
        const events = [event('A'), event('B')];
        const first = await store.append('thing-1', events, 'no-stream');
        await store.append('thing-1', [event('C')], 1n);
        const retried = await store.append('thing-1', events, 'no-stream');
        expect(retried).toMatchObject({ revision: first.revision, position: first.position });
        expect(server.log.stream('thing-1')).toHaveLength(3);
        expect(server.readRequests['read-stream']).toBe(0);
      },
    );

    it.each(PATHS)(
      'answers a retry from the stored events when the server reports no position (%s)',
      async (_path, batchAppend) => {
        await start({ batchAppend, idempotentAnswer: 'no-position' });
        const events = [event('A'), event('B')];
        const first = await store.append('thing-1', events, 'no-stream');
        await store.append('thing-1', [event('C')], 1n);
        expect(await store.append('thing-1', events, 'no-stream')).toMatchObject({
          revision: first.revision,
          position: first.position,
          deduplicated: true,
        });
        expect(server.log.stream('thing-1')).toHaveLength(3);
      },
    );

    it.each(PATHS)(
      'refuses a stale append that the client resolves as unsuccessful instead of throwing (%s)',
      async (_path, batchAppend) => {
        await start({ batchAppend }, {}, 'defaultDeadline=800&throwOnAppendFailure=false');
        await store.append('thing-1', [event(), event()], 'no-stream');
        await expect(store.append('thing-1', [event()], 0n)).rejects.toMatchObject({
          name: 'WrongExpectedRevisionError',
          expected: 0n,
          actual: 1n,
        });
        await expect(store.append('ghost-1', [event()], 0n)).rejects.toMatchObject({ actual: 'no-stream' });
        expect(server.log.stream('thing-1')).toHaveLength(2);
      },
    );

    it('does not write an any append twice when the server has already forgotten its ids', async () => {
      // The server's `any` check remembers recent ids only; the adapter sends the head's revision instead.
      await start({ recentIdsRemembered: 0 });
      await store.append('thing-1', [event()], 'no-stream');
      const events = [event('A'), event('B')];
      await store.append('thing-1', events, 'any');
      expect(await store.append('thing-1', events, 'any')).toMatchObject({
        revision: 2n,
        deduplicated: true,
      });
      expect(server.log.stream('thing-1')).toHaveLength(3);
    });

    it.each(PATHS)(
      'refuses an append larger than the server accepts with AppendTooLargeError (%s)',
      async (_path, batchAppend) => {
        await start({ batchAppend, maxAppendSize: 2000 });
        const big = { ...event(), data: { text: 'x'.repeat(3000) } };
        const refused = store.append('thing-1', [big], 'no-stream');
        await expect(refused).rejects.toBeInstanceOf(AppendTooLargeError);
        await expect(refused).rejects.toMatchObject({ streamId: 'thing-1', maxAppendSize: 2000 });
        expect(server.log.stream('thing-1')).toBeUndefined();
      },
    );
  });

  describe('when the node is not the leader', () => {
    it('asks for the leader on appends and on stream reads, which feed decisions', async () => {
      await start();
      await store.append('thing-1', [event()], 'no-stream');
      await store.readStream('thing-1');
      await store.readAll();
      const { subscription, until } = collect(store, 0n);
      await until(1);
      await subscription.stop();
      expect(new Set(server.leaderRequiredBy)).toEqual(new Set(['append', 'read-stream']));
    });

    it.each(PATHS)(
      'follows the NotLeader answer to the leader it names, and appends and reads there (%s)',
      async (_path, batchAppend) => {
        const leader = await EsdbTestDouble.start({ batchAppend });
        stopLater(() => leader.stop());
        await start({ batchAppend });
        // This node is a follower now: it refuses every call that requires the leader, naming the leader.
        server.answerNotLeader({ leader: leader.endpoint, times: Number.POSITIVE_INFINITY });
        const appended = event('A');
        await store.append('thing-1', [appended], 'no-stream');
        expect(leader.log.stream('thing-1')!.map((record) => record.eventId)).toEqual([appended.eventId]);
        expect(server.log.stream('thing-1')).toBeUndefined();
        expect((await store.readStream('thing-1')).map((e) => e.eventId)).toEqual([appended.eventId]);
        expect(server.notLeaderAnswers).toBe(1);
      },
    );

    it.each(PATHS)(
      'runs the append again after one NotLeader answer, and it is written once (%s)',
      async (_path, batchAppend) => {
        await start({ batchAppend });
        await store.append('thing-1', [event()], 'no-stream');
        server.answerNotLeader({ times: 1 });
        expect(await store.append('thing-1', [event()], 0n)).toMatchObject({ revision: 1n });
        server.answerNotLeader({ times: 1 });
        expect(await store.readStream('thing-1')).toHaveLength(2);
        expect(server.notLeaderAnswers).toBe(2);
        expect(server.log.stream('thing-1')).toHaveLength(2);
      },
    );
  });

  describe('when the server does not answer', () => {
    beforeEach(() => start({}, { readTimeoutMs: 200 }));

    it('cancels a stream read that gets no answer and reports StoreUnavailableError', async () => {
      await store.append('thing-1', [event()], 'no-stream');
      server.stallReads('read-stream', 1);
      await expect(store.readStream('thing-1')).rejects.toBeInstanceOf(StoreUnavailableError);
      await eventually(() => server.stalledReadsCancelled === 1);
      expect(server.stalledReadsCancelled).toBe(1);
      expect(await store.readStream('thing-1')).toHaveLength(1);
    });

    it('cancels a read of the log that gets no answer and reports StoreUnavailableError', async () => {
      await store.append('thing-1', [event()], 'no-stream');
      server.stallReads('read-all', 1);
      await expect(store.readAll()).rejects.toBeInstanceOf(StoreUnavailableError);
      await eventually(() => server.stalledReadsCancelled === 1);
      expect(server.stalledReadsCancelled).toBe(1);
      expect(await store.readAll()).toHaveLength(1);
    });

    it('resubscribes when the catch-up gets no answer, then delivers', async () => {
      await store.append('thing-1', [event('A')], 'no-stream');
      server.stallReads('subscription', 1);
      const { subscription, until, reports } = collect(store, 0n);
      expect((await until(1)).map((e) => e.type)).toEqual(['A']);
      await subscription.stop();
      expect(reports[0]).toEqual({ error: expect.any(StoreUnavailableError), retrying: true });
      expect(server.stalledReadsCancelled).toBe(1);
      expect(server.readRequests.subscription).toBe(2);
    });
  });

  describe('when the server sends no CaughtUp (before 23.10)', () => {
    it('catches up and follows without taking the quiet of a live subscription for a stall', async () => {
      await start({ caughtUp: false }, { readTimeoutMs: 100 });
      await store.append('thing-1', [event('A')], 'no-stream');
      for (let i = 0; i < 3; i += 1) server.appendSystemEvent();
      const { subscription, until, errors } = collect(store, 0n);
      await until(1);
      // Live and quiet for several read timeouts: a subscription that waited for CaughtUp would resubscribe.
      await sleep(500);
      await store.append('thing-2', [event('B')], 'no-stream');
      expect((await until(2)).map((e) => e.type)).toEqual(['A', 'B']);
      await subscription.stop();
      expect(errors).toEqual([]);
      expect(server.readRequests.subscription).toBe(1);
    });
  });

  describe('when the server refuses', () => {
    it.each(PATHS)(
      'reports a deleted stream as StreamDeletedError, on appends and on reads (%s)',
      async (_path, batchAppend) => {
        await start({ batchAppend });
        await store.append('thing-1', [event()], 'no-stream');
        server.tombstone('thing-1');
        await expect(store.append('thing-1', [event()], 0n)).rejects.toMatchObject({
          name: 'StreamDeletedError',
          streamId: 'thing-1',
        });
        await expect(store.readStream('thing-1')).rejects.toBeInstanceOf(StreamDeletedError);
      },
    );

    it.each(PATHS)(
      'reports access denied as StoreAccessDeniedError, on appends and on reads (%s)',
      async (_path, batchAppend) => {
        await start({ batchAppend });
        await store.append('thing-1', [event()], 'no-stream');
        server.setAccessDenied(true);
        await expect(store.append('thing-1', [event()], 0n)).rejects.toBeInstanceOf(StoreAccessDeniedError);
        await expect(store.readStream('thing-1')).rejects.toBeInstanceOf(StoreAccessDeniedError);
        await expect(store.readAll()).rejects.toBeInstanceOf(StoreAccessDeniedError);
      },
    );

    it('stops the subscription on access denied instead of retrying, and says it gave up', async () => {
      await start();
      await store.append('thing-1', [event('A')], 'no-stream');
      const { subscription, until, reports } = collect(store, 0n);
      await until(1);
      server.setAccessDenied(true);
      server.dropSubscriptions();
      await eventually(() => reports.some((report) => !report.retrying));
      const attempts = server.readRequests.subscription + server.readRequests['read-all'];
      // Many resubscription pauses (20 to 200 ms) later, nothing has been tried again.
      await sleep(600);
      await subscription.stop();
      expect(reports[reports.length - 1]).toEqual({
        error: expect.any(StoreAccessDeniedError),
        retrying: false,
      });
      expect(reports.filter((report) => !report.retrying)).toHaveLength(1);
      expect(server.readRequests.subscription + server.readRequests['read-all']).toBe(attempts);
    });
  });

  describe('when the server cannot serve the ledger', () => {
    it('refuses to connect to a server without log positions on stream reads, naming its version', async () => {
      const old = await EsdbTestDouble.start({ readPositions: false, serverVersion: '21.10.9' });
      stopLater(() => old.stop());
      const connecting = EventStoreDbEventStore.connect(old.connectionString());
      await expect(connecting).rejects.toBeInstanceOf(ConfigError);
      await expect(connecting).rejects.toThrow(/21\.10\.9.*22\.10/);
    });

    it('refuses every call on such a server, and the subscription gives up saying why', async () => {
      await start({ readPositions: false });
      await expect(store.readStream('thing-1')).rejects.toBeInstanceOf(ConfigError);
      await expect(store.append('thing-1', [event()], 'no-stream')).rejects.toBeInstanceOf(ConfigError);
      const { subscription, reports } = collect(store, 0n);
      await eventually(() => reports.length > 0);
      await subscription.stop();
      expect(reports).toEqual([{ error: expect.any(ConfigError), retrying: false }]);
      expect(server.log.stream('thing-1')).toBeUndefined();
    });

    it('connects while the server cannot be reached, and checks it before the first call', async () => {
      const down = await EsdbTestDouble.start();
      stopLater(() => down.stop());
      down.setUnavailable(true);
      const connected = await EventStoreDbEventStore.connect(down.connectionString('defaultDeadline=800'));
      stopLater(() => connected.close());
      await expect(connected.readStream('thing-1')).rejects.toBeInstanceOf(StoreUnavailableError);
      down.setUnavailable(false);
      expect(await connected.readStream('thing-1')).toEqual([]);
    });
  });

  describe('when reading recorded time', () => {
    it('reports the server’s created time as is, even where it steps back along the log', async () => {
      // The server's wall clock, not promised monotonic; the projector clamps it to the running maximum.
      const times = [Date.parse('2026-05-01T10:00:00.000Z'), Date.parse('2026-05-01T09:59:58.500Z')];
      await start();
      server.setClock(() => times.shift() ?? Date.parse('2026-05-01T10:00:01.000Z'));
      await store.append('thing-1', [event('A')], 'no-stream');
      await store.append('thing-2', [event('B')], 'no-stream');
      const read = await store.readAll();
      expect(read.map((e) => [e.type, e.recordedAt])).toEqual([
        ['A', '2026-05-01T10:00:00.000Z'],
        ['B', '2026-05-01T09:59:58.500Z'],
      ]);
      expect((await store.readStream('thing-2'))[0]!.recordedAt).toBe('2026-05-01T09:59:58.500Z');
      const { subscription, until } = collect(store, 0n);
      expect((await until(2)).map((e) => e.recordedAt)).toEqual(read.map((e) => e.recordedAt));
      await subscription.stop();
    });
  });

  describe('when importing events recorded by another store', () => {
    const recorded = (streamId: string, revision: bigint, recordedAt: string): RecordedEvent => ({
      ...event(`E${revision}`),
      streamId,
      revision,
      position: 40n + revision,
      recordedAt,
    });

    it('keeps the recorded time in its metadata envelope, since the server sets created itself', async () => {
      await start();
      const imported = recorded('stockpile-a', 0n, '2024-02-29T23:59:59.999Z');
      await store.importRecorded([imported]);
      const stored = server.log.stream('stockpile-a')![0]!;
      expect(JSON.parse(Buffer.from(stored.customMetadata).toString('utf8')).ledger).toEqual({
        schemaVersion: 2,
        effectiveAt: imported.effectiveAt,
        metadata: imported.metadata,
        recordedAt: '2024-02-29T23:59:59.999Z',
      });
      expect(new Date(Number(stored.created / 10_000n)).toISOString()).not.toBe(imported.recordedAt);
      expect((await store.readStream('stockpile-a'))[0]!.recordedAt).toBe(imported.recordedAt);
      // an event appended afterwards carries the server's time, as before
      await store.append('stockpile-a', [event('Later')], 0n);
      expect((await store.readStream('stockpile-a', 1n))[0]!.recordedAt).not.toBe(imported.recordedAt);
    });

    it('resumes an import that stopped within the run of one stream, writing only the rest', async () => {
      await start();
      const run = [0n, 1n, 2n].map((revision) =>
        recorded('stockpile-a', revision, '2025-01-01T00:00:00.000Z'),
      );
      await store.importRecorded(run.slice(0, 2));
      expect(await store.importRecorded(run)).toMatchObject({ imported: 1, skipped: 2 });
      expect((await store.readStream('stockpile-a')).map((e) => e.eventId)).toEqual(
        run.map((e) => e.eventId),
      );
    });

    it('answers a retry the server recognises with the events as skipped, and refuses one with other content', async () => {
      await start({ idempotentAnswer: 'no-position' });
      const run = [0n, 1n].map((revision) => recorded('stockpile-a', revision, '2025-01-01T00:00:00.000Z'));
      await store.importRecorded(run);
      expect(await store.importRecorded(run)).toMatchObject({ imported: 0, skipped: 2 });
      await expect(
        store.importRecorded([{ ...run[0]!, effectiveAt: '2020-01-01T00:00:00.000Z' }]),
      ).rejects.toMatchObject({ name: 'ImportRefusedError', kind: 'conflicting-event' });
    });
  });

  describe('when reading the log', () => {
    beforeEach(() => start());

    it('leaves out system events and legacy event-id claims, in reads, the head and subscriptions', async () => {
      const first = await store.append('thing-1', [event('A')], 'no-stream');
      server.appendSystemEvent();
      // Written by earlier versions of the adapter; logs from then still hold them.
      server.log.write(`ledgerEventId-${newId()}`, [
        {
          eventId: newId(),
          type: 'LedgerEventIdClaimed',
          contentType: 'application/json',
          data: new Uint8Array(Buffer.from('{}')),
          customMetadata: new Uint8Array(),
        },
      ]);
      const second = await store.append('thing-2', [event('B')], 'no-stream');
      server.appendSystemEvent();
      expect((await store.readAll()).map((e) => e.type)).toEqual(['A', 'B']);
      expect(await store.readAll({ fromPosition: first.position })).toMatchObject([{ type: 'B' }]);
      expect(await store.headPosition()).toBe(second.position);
      const { subscription, until } = collect(store, 0n);
      expect((await until(2)).map((e) => e.type)).toEqual(['A', 'B']);
      await subscription.stop();
    });

    it('pages through a log where system events outnumber ledger events', async () => {
      for (let i = 0; i < 40; i += 1) {
        await store.append(`thing-${i}`, [event(`E${i}`)], 'no-stream');
        server.appendSystemEvent();
        server.appendSystemEvent();
      }
      const page = await store.readAll({ limit: 25 });
      expect(page.map((e) => e.type)).toEqual(Array.from({ length: 25 }, (_, i) => `E${i}`));
      const rest = await store.readAll({ fromPosition: page[24]!.position, limit: 100 });
      expect(rest.map((e) => e.type)).toEqual(Array.from({ length: 15 }, (_, i) => `E${i + 25}`));
    });

    it('reports 0 as the head of a log with only system events', async () => {
      server.appendSystemEvent();
      expect(await store.headPosition()).toBe(0n);
    });
  });

  describe('when the server is unreachable', () => {
    beforeEach(() => start());

    it('surfaces transport errors as StoreUnavailableError, which a caller may retry', async () => {
      await store.append('thing-1', [event()], 'no-stream');
      server.setUnavailable(true);
      await expect(store.readStream('thing-1')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.append('thing-1', [event()], 0n)).rejects.toBeInstanceOf(StoreUnavailableError);
      server.setUnavailable(false);
      expect(await store.readStream('thing-1')).toHaveLength(1);
    });

    it('reports an append that timed out after its commit as unavailable, and its retry as done once', async () => {
      const events = [event('A')];
      server.failNextAppendAfterCommit({ kind: 'delay', ms: 2000, stream: 'thing-1' });
      await expect(store.append('thing-1', events, 'no-stream')).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      const retried = await store.append('thing-1', events, 'no-stream');
      const stored = server.log.stream('thing-1')!;
      expect(stored).toHaveLength(1);
      expect(retried).toMatchObject({ revision: 0n, position: stored[0]!.position });
    });
  });

  describe('when the subscription is dropped', () => {
    beforeEach(() => start());

    it.each([
      ['UNAVAILABLE', 14],
      ['CANCELLED', 1],
    ])(
      'resubscribes after %s from the last delivered event, with no gap and no repeat',
      async (_name, code) => {
        await store.append('thing-1', [event('A'), event('B')], 'no-stream');
        const { subscription, until, seen, reports } = collect(store, 0n);
        await until(2);
        const resumeFrom = seen[1]!.position;
        expect(server.dropSubscriptions(code)).toBe(1);
        await store.append('thing-2', [event('C')], 'no-stream');
        expect((await until(3)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
        expect(server.subscriptionStarts[server.subscriptionStarts.length - 1]).toEqual({
          commit: resumeFrom,
          prepare: resumeFrom,
        });
        expect(reports[0]).toEqual({ error: expect.any(StoreUnavailableError), retrying: true });
        await subscription.stop();
        expect(seen.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      },
    );

    it('resumes past filtered-out events from the last checkpoint the server sent', async () => {
      await store.append('thing-1', [event('A')], 'no-stream');
      const { subscription, until, seen } = collect(store, 0n);
      await until(1);
      // 40 system events: more than the server's checkpoint interval (32 considered events).
      for (let i = 0; i < 40; i += 1) server.appendSystemEvent();
      await sleep(100);
      server.dropSubscriptions();
      await store.append('thing-2', [event('B')], 'no-stream');
      expect((await until(2)).map((e) => e.type)).toEqual(['A', 'B']);
      // Not from A (the last event delivered) but from a checkpoint among the system events after it.
      const resumed = server.subscriptionStarts[server.subscriptionStarts.length - 1]!;
      const at = server.log.records.find((record) => record.position === resumed.commit);
      expect(resumed.commit).toBeGreaterThan(seen[0]!.position);
      expect(at?.type).toBe('$statsCollected');
      await subscription.stop();
    });

    it('retries a batch the handler failed, without skipping it', async () => {
      await store.append('thing-1', [event('A')], 'no-stream');
      const handled: string[] = [];
      const reports: boolean[] = [];
      let failOnce = true;
      const subscription = store.subscribeToAll({
        fromPosition: 0n,
        onEvents: (events) => {
          if (failOnce) {
            failOnce = false;
            throw new Error('read model busy');
          }
          handled.push(...events.map((e) => e.type));
        },
        onError: (_error, retrying) => reports.push(retrying),
      });
      await eventually(() => handled.length > 0);
      await subscription.stop();
      expect(handled).toEqual(['A']);
      expect(reports).toEqual([true]);
    });
  });
});
