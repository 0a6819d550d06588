import type { EventToAppend, RecordedEvent } from '../event-envelope';
import { newId } from '../event-ids';
import { StoreUnavailableError } from '../event-store.port';
import { eventStoreContract } from '../testing/event-store.contract';
// A protocol-level TEST DOUBLE of the server (test/support/esdb-double): the real client, a real socket.
import { EsdbTestDouble } from '../../../../test/support/esdb-double/esdb-test-double';
import { EventStoreDbEventStore, toClientConnectionString } from './eventstoredb-event-store';

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
    // like the real server, the double does not order concurrent gRPC calls
    { ordersPipelinedAppends: false },
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

/** Collects what a subscription delivers; `until(n)` waits for n events (5 s at most). */
function collect(store: EventStoreDbEventStore, fromPosition: bigint) {
  const seen: RecordedEvent[] = [];
  const errors: unknown[] = [];
  const subscription = store.subscribeToAll({
    fromPosition,
    onEvents: (events) => {
      seen.push(...events);
    },
    onError: (error) => errors.push(error),
  });
  const until = async (count: number) => {
    const deadline = Date.now() + 5000;
    while (seen.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return seen;
  };
  return { subscription, until, seen, errors };
}

describe('EventStoreDbEventStore (against the gRPC test double)', () => {
  let server: EsdbTestDouble;
  let store: EventStoreDbEventStore;

  beforeEach(async () => {
    server = await EsdbTestDouble.start();
    store = new EventStoreDbEventStore(server.connectionString('defaultDeadline=800'), {
      resubscribeMinMs: 20,
      resubscribeMaxMs: 200,
    });
  });
  afterEach(async () => {
    await store.close();
    await server.stop();
  });

  describe('when configured', () => {
    it('accepts kurrentdb:// connection strings as the same protocol', () => {
      expect(toClientConnectionString('kurrentdb://db:2113?tls=false')).toBe('esdb://db:2113?tls=false');
      expect(toClientConnectionString('kurrentdb+discover://a,b?tls=true')).toBe(
        'esdb+discover://a,b?tls=true',
      );
      expect(toClientConnectionString('esdb://db:2113')).toBe('esdb://db:2113');
    });
  });

  describe('when storing events', () => {
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

    it('answers a retried append from the stored events even when the server did not report it', async () => {
      const events = [event('A'), event('B')];
      const first = await store.append('thing-1', events, 'no-stream');
      await store.append('thing-1', [event('C')], 1n);
      expect(await store.append('thing-1', events, 'no-stream')).toMatchObject({
        revision: first.revision,
        position: first.position,
        deduplicated: true,
      });
    });
  });

  describe('when reading the log', () => {
    it('leaves out system events and event-id claims, in reads, the head and subscriptions', async () => {
      const first = await store.append('thing-1', [event('A')], 'no-stream');
      server.appendSystemEvent();
      const second = await store.append('thing-2', [event('B')], 'no-stream');
      server.appendSystemEvent();
      expect((await store.readAll()).map((e) => e.type)).toEqual(['A', 'B']);
      expect(await store.readAll({ fromPosition: first.position })).toMatchObject([{ type: 'B' }]);
      expect(await store.headPosition()).toBe(second.position);
      const { subscription, until } = collect(store, 0n);
      expect((await until(2)).map((e) => e.type)).toEqual(['A', 'B']);
      await subscription.stop();
    });

    it('pages through a log where claims and system events outnumber ledger events', async () => {
      for (let i = 0; i < 40; i += 1) {
        await store.append(`thing-${i}`, [event(`E${i}`)], 'no-stream');
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
      expect(retried).toMatchObject({ revision: 0n, deduplicated: true });
      expect(server.log.stream('thing-1')).toHaveLength(1);
    });
  });

  describe('when the subscription is dropped', () => {
    it.each([
      ['UNAVAILABLE', 14],
      ['CANCELLED', 1],
    ])(
      'resubscribes after %s from the last delivered event, with no gap and no repeat',
      async (_name, code) => {
        await store.append('thing-1', [event('A'), event('B')], 'no-stream');
        const { subscription, until, seen, errors } = collect(store, 0n);
        await until(2);
        const resumeFrom = seen[1]!.position;
        expect(server.dropSubscriptions(code)).toBe(1);
        await store.append('thing-2', [event('C')], 'no-stream');
        expect((await until(3)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
        expect(server.subscriptionStarts[server.subscriptionStarts.length - 1]).toEqual({
          commit: resumeFrom,
          prepare: resumeFrom,
        });
        expect(errors[0]).toBeInstanceOf(StoreUnavailableError);
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
      await new Promise((r) => setTimeout(r, 100));
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
      });
      const deadline = Date.now() + 5000;
      while (handled.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await subscription.stop();
      expect(handled).toEqual(['A']);
    });
  });
});
