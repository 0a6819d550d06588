import { canonicalJson } from '../canonical-json';
import { type EventToAppend, parseStoredEvent, type RecordedEvent } from '../event-envelope';
import { newId } from '../event-ids';
import {
  DuplicateEventIdError,
  type EventStore,
  ImportRefusedError,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { sealedLog } from './sealed-log';

/**
 * What a store promises beyond the port's minimum. The defaults are the embedded SQLite store's; a server
 * store that promises less runs the cases it does promise, and its own spec shows what it does instead.
 */
export interface StoreGuarantees {
  /** refuses an event id that another stream holds (SQLite's unique index); EventStoreDB checks per stream */
  eventIdsUniqueAcrossStreams: boolean;
  /** recordedAt never runs backwards along the log; EventStoreDB reports its wall clock as is */
  monotonicRecordedAt: boolean;
  /** tells a retried append from the first one (`deduplicated`); EventStoreDB answers both alike */
  reportsDeduplication: boolean;
  /**
   * Appends to one stream requested back to back, without awaiting (the next one expecting the revision the
   * previous one will reach), commit in the order they were requested (`ordersAppendsPerStream`): the
   * embedded and PostgreSQL stores queue a process's appends, and per-stream command pipelining relies on
   * it. EventStoreDB's server does not order concurrent gRPC calls.
   */
  ordersAppendsPerStream: boolean;
  /** an import call stores all of its events or none (one transaction); EventStoreDB appends per stream */
  atomicImport: boolean;
}

const EMBEDDED: StoreGuarantees = {
  eventIdsUniqueAcrossStreams: true,
  monotonicRecordedAt: true,
  reportsDeduplication: true,
  ordersAppendsPerStream: true,
  atomicImport: true,
};

/**
 * EventStoreDB's: ids are checked within a stream only, `created` is the server's wall clock, and a retry
 * with an explicit revision is answered like the first write.
 */
export const EVENTSTOREDB_GUARANTEES: StoreGuarantees = {
  eventIdsUniqueAcrossStreams: false,
  monotonicRecordedAt: false,
  reportsDeduplication: false,
  ordersAppendsPerStream: false,
  atomicImport: false,
};

/**
 * The behaviour every EventStore adapter must show. Each adapter's spec calls this with a factory that
 * returns a fresh, empty store; the EventStoreDB adapter runs the very same cases, but for the guarantees
 * it does not give.
 */
export function eventStoreContract(
  name: string,
  createStore: () => Promise<EventStore>,
  teardown?: () => Promise<void>,
  guarantees: StoreGuarantees = EMBEDDED,
) {
  /** A case only for stores that give the guarantee: the others do not promise it, so none is skipped. */
  const itIf = (guaranteed: boolean, name: string, test: () => Promise<void>) => {
    if (guaranteed) it(name, test);
  };

  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;

    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
      await teardown?.();
    });

    const event = (type = 'Something', data: unknown = { n: 1 }, eventId = newId()): EventToAppend => ({
      eventId,
      type,
      schemaVersion: 1,
      effectiveAt: '2026-03-26T00:00:00.000Z',
      data,
      metadata: { actor: { name: 'tester', roles: ['admin'] }, correlationId: 'c-1', causationId: 'c-1' },
    });

    describe('when appending', () => {
      it('creates a stream with no-stream and numbers its events from revision 0', async () => {
        const result = await store.append('thing-1', [event(), event()], 'no-stream');
        expect(result.revision).toBe(1n);
        const stored = await store.readStream('thing-1');
        expect(stored.map((e) => e.revision)).toEqual([0n, 1n]);
      });

      it('refuses no-stream when the stream exists', async () => {
        await store.append('thing-1', [event()], 'no-stream');
        await expect(store.append('thing-1', [event()], 'no-stream')).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );
      });

      it('extends a stream at exactly the expected revision and refuses a stale one', async () => {
        await store.append('thing-1', [event()], 'no-stream');
        await store.append('thing-1', [event()], 0n);
        const stale = store.append('thing-1', [event()], 0n);
        await expect(stale).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', actual: 1n });
      });

      it('reports no-stream as the actual revision when extending a stream that does not exist', async () => {
        await expect(store.append('ghost-1', [event()], 0n)).rejects.toMatchObject({ actual: 'no-stream' });
      });

      it('appends with any whatever the stream holds', async () => {
        await store.append('thing-1', [event()], 'any');
        const result = await store.append('thing-1', [event()], 'any');
        expect(result.revision).toBe(1n);
      });

      itIf(
        guarantees.eventIdsUniqueAcrossStreams,
        'appends all events of one call or none of them',
        async () => {
          const taken = event();
          await store.append('other-1', [taken], 'no-stream');
          await expect(
            store.append('thing-1', [event(), event('X', {}, taken.eventId)], 'no-stream'),
          ).rejects.toBeInstanceOf(DuplicateEventIdError);
          expect(await store.readStream('thing-1')).toEqual([]);
        },
      );

      it('treats a retried append with the same event ids as done once', async () => {
        const events = [event(), event()];
        const first = await store.append('thing-1', events, 'no-stream');
        const again = await store.append('thing-1', events, 'no-stream');
        expect(again).toMatchObject({ revision: first.revision, position: first.position });
        if (guarantees.reportsDeduplication) expect(again.deduplicated).toBe(true);
        expect(await store.readStream('thing-1')).toHaveLength(2);
      });

      itIf(
        guarantees.eventIdsUniqueAcrossStreams,
        'refuses an event id that another stream already used',
        async () => {
          const taken = event();
          await store.append('thing-1', [taken], 'no-stream');
          await expect(store.append('thing-2', [taken], 'no-stream')).rejects.toBeInstanceOf(
            DuplicateEventIdError,
          );
        },
      );

      it('refuses one of several appends requested together without undoing the others', async () => {
        await store.append('thing-1', [event()], 'no-stream');
        const outcomes = await Promise.allSettled([
          store.append('thing-2', [event('A')], 'no-stream'),
          store.append('thing-1', [event('Stale')], 'no-stream'),
          store.append('thing-3', [event('B'), event('C')], 'no-stream'),
        ]);
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
        const types = async (streamId: string) => (await store.readStream(streamId)).map((e) => e.type);
        expect(await types('thing-1')).toEqual(['Something']);
        expect(await types('thing-2')).toEqual(['A']);
        expect(await types('thing-3')).toEqual(['B', 'C']);
      });

      itIf(
        guarantees.ordersAppendsPerStream,
        'commits appends to one stream requested back to back in the order they were requested',
        async () => {
          const first = store.append('thing-1', [event('A')], 'no-stream');
          const second = store.append('thing-1', [event('B'), event('C')], 0n);
          const third = store.append('thing-1', [event('D')], 2n);
          const results = await Promise.all([first, second, third]);
          expect(results.map((result) => result.revision)).toEqual([0n, 2n, 3n]);
          expect(results[0]!.position).toBeLessThan(results[1]!.position);
          expect(results[1]!.position).toBeLessThan(results[2]!.position);
          expect((await store.readStream('thing-1')).map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
        },
      );

      itIf(
        guarantees.ordersAppendsPerStream,
        'refuses an append whose first event does not link to the hash of the stream’s last event',
        async () => {
          const sealed = (type: string, hash: string, prevHash: string): EventToAppend => {
            const base = event(type);
            return { ...base, metadata: { ...base.metadata, hash, prevHash } };
          };
          await store.append('thing-1', [sealed('A', 'a'.repeat(64), '0'.repeat(64))], 'no-stream');
          // at the revision it expects, but decided on another event than the one stored there
          await expect(
            store.append('thing-1', [sealed('B', 'b'.repeat(64), 'f'.repeat(64))], 0n),
          ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
          await store.append('thing-1', [sealed('B', 'b'.repeat(64), 'a'.repeat(64))], 0n);
          expect((await store.readStream('thing-1')).map((e) => e.type)).toEqual(['A', 'B']);
        },
      );

      it('returns the global position of the last event as a bigint', async () => {
        const first = await store.append('thing-1', [event()], 'no-stream');
        const second = await store.append('thing-2', [event(), event()], 'no-stream');
        expect(typeof second.position).toBe('bigint');
        expect(second.position).toBeGreaterThan(first.position);
        expect(await store.headPosition()).toBe(second.position);
      });
    });

    describe('when reading', () => {
      it('returns every field of the envelope as it was appended', async () => {
        const appended = event('StockpileEstablished', { name: 'Tōkyō – graphite', amount: '18000.5' });
        await store.append('stockpile-a', [appended], 'no-stream');
        const [stored] = await store.readStream('stockpile-a');
        expect(stored).toMatchObject({
          ...appended,
          streamId: 'stockpile-a',
          revision: 0n,
        });
        expect(stored!.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      });

      it('returns an empty list for a stream that does not exist', async () => {
        expect(await store.readStream('nothing-here')).toEqual([]);
      });

      it('reads a stream from a revision on', async () => {
        await store.append('thing-1', [event('A'), event('B'), event('C')], 'no-stream');
        expect((await store.readStream('thing-1', 1n)).map((e) => e.type)).toEqual(['B', 'C']);
      });

      it('reads the global log in order, after an exclusive position, in pages', async () => {
        await store.append('thing-1', [event('A')], 'no-stream');
        await store.append('thing-2', [event('B')], 'no-stream');
        await store.append('thing-1', [event('C')], 0n);
        const all = await store.readAll();
        expect(all.map((e) => e.type)).toEqual(['A', 'B', 'C']);
        const positions = all.map((e) => e.position);
        expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
        expect((await store.readAll({ fromPosition: all[0]!.position })).map((e) => e.type)).toEqual([
          'B',
          'C',
        ]);
        expect(
          (await store.readAll({ fromPosition: all[0]!.position, limit: 1 })).map((e) => e.type),
        ).toEqual(['B']);
      });

      it('hands out the log as stored, unparsed, when it offers to: the same events once parsed', async () => {
        if (!store.readAllStored) return;
        await store.append('thing-1', [event('A', { b: [1, 'ü'], a: null })], 'no-stream');
        await store.append('thing-2', [event('B'), event('C')], 'no-stream');
        const all = await store.readAll();
        const stored = await store.readAllStored();
        expect(stored.map((e) => parseStoredEvent(e))).toEqual(all);
        expect(stored[0]!.dataText).toBe('{"a":null,"b":[1,"ü"]}');
        const after = await store.readAllStored({ fromPosition: all[0]!.position, limit: 1 });
        expect(after.map((e) => e.eventId)).toEqual([all[1]!.eventId]);
      });

      itIf(
        guarantees.monotonicRecordedAt,
        'never lets recorded time run backwards along the log',
        async () => {
          for (let i = 0; i < 5; i += 1) await store.append(`thing-${i}`, [event()], 'no-stream');
          const times = (await store.readAll()).map((e) => e.recordedAt);
          expect([...times].sort()).toEqual(times);
        },
      );
    });

    describe('when importing events recorded by another store', () => {
      /** Recorded an hour apart in 2025, long before this store's clock: the times must come from the log. */
      const hourly = (sequence: number) =>
        new Date(Date.UTC(2025, 0, 1) + sequence * 3_600_000).toISOString();
      /** What a store keeps of an event, whatever its position there. */
      const kept = ({ position: _position, ...event }: RecordedEvent) => event;
      const log = () =>
        sealedLog(
          [
            ['stockpile-a', 2],
            ['supply-jp', 1],
            ['stockpile-a', 1],
            ['project-b', 2],
          ],
          { recordedAtOf: hourly, positionOf: (n) => 1000n + 7n * BigInt(n) },
        );

      it('stores every event with its id, stream, revision, content and recorded time, in the given order', async () => {
        const source = log();
        const result = await store.importRecorded(source);
        const stored = await store.readAll();
        expect(stored.map(kept)).toEqual(source.map(kept));
        expect(result).toEqual({ imported: 6, skipped: 0, position: stored[5]!.position });
        expect(await store.headPosition()).toBe(stored[5]!.position);
        expect((await store.readStream('stockpile-a')).map(kept)).toEqual(
          source.filter((e) => e.streamId === 'stockpile-a').map(kept),
        );
        // the store numbers the events itself: on a dense store 1..N, whatever positions they had before
        if (store.positionsAreDense) expect(stored.map((e) => e.position)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
      });

      it('skips the events it holds already, so an interrupted import run again resumes without duplicating', async () => {
        const source = log();
        await store.importRecorded(source.slice(0, 2));
        const again = await store.importRecorded(source);
        expect(again).toMatchObject({ imported: 4, skipped: 2 });
        const stored = await store.readAll();
        expect(stored.map(kept)).toEqual(source.map(kept));
        expect(await store.importRecorded(source)).toEqual({
          imported: 0,
          skipped: 6,
          position: stored[5]!.position,
        });
        expect(await store.readAll()).toHaveLength(6);
      });

      it('stores events given as stored text in canonical form, whatever the text, and resumes against them', async () => {
        const source = log();
        const asStored = source.map(({ data, metadata, ...envelope }) => ({
          ...envelope,
          dataText: canonicalJson(data),
          metadataText: canonicalJson(metadata),
        }));
        // as an older version may have written them: spaced, 2.0 for 2, members in another order
        asStored[1]!.dataText = '{ "n" : 2.0 }';
        asStored[2]!.metadataText = JSON.stringify(
          Object.fromEntries(Object.entries(source[2]!.metadata).reverse()),
        );
        await store.importRecorded(asStored.slice(0, 3));
        expect((await store.readAll()).map(kept)).toEqual(source.slice(0, 3).map(kept));
        expect(await store.importRecorded(asStored)).toMatchObject({ imported: 3, skipped: 3 });
        expect((await store.readAll()).map(kept)).toEqual(source.map(kept));
        if (store.readAllStored) {
          expect((await store.readAllStored()).map((e) => e.dataText)).toEqual(
            source.map((e) => canonicalJson(e.data)),
          );
        }
      });

      it('refuses an event whose id it holds with other content', async () => {
        const source = log();
        await store.importRecorded(source);
        const altered = { ...source[0]!, data: { n: 'altered' } };
        await expect(store.importRecorded([altered])).rejects.toMatchObject({
          name: 'ImportRefusedError',
          kind: 'conflicting-event',
          eventId: altered.eventId,
        });
        const retimed = { ...source[1]!, recordedAt: '2025-06-01T00:00:00.000Z' };
        await expect(store.importRecorded([retimed])).rejects.toMatchObject({ kind: 'conflicting-event' });
      });

      it('refuses a revision held by another event and a revision that skips some', async () => {
        const source = log();
        await store.importRecorded(source.slice(0, 1));
        const other = { ...source[1]!, eventId: newId(), revision: 0n };
        await expect(store.importRecorded([other])).rejects.toMatchObject({
          name: 'ImportRefusedError',
          kind: 'conflicting-event',
        });
        await expect(store.importRecorded([source[3]!])).rejects.toMatchObject({
          name: 'ImportRefusedError',
          kind: 'revision-gap',
          eventId: source[3]!.eventId,
        });
        expect(await store.readAll()).toHaveLength(1);
      });

      it('refuses an event stored already behind one the same import writes', async () => {
        const source = log();
        await store.importRecorded([source[0]!]);
        await expect(store.importRecorded([source[2]!, source[0]!])).rejects.toMatchObject({
          kind: 'stored-out-of-order',
          eventId: source[0]!.eventId,
        });
      });

      itIf(
        guarantees.atomicImport,
        'refuses an event given twice in one call, as one stored behind an event the call writes',
        async () => {
          const source = log();
          await expect(store.importRecorded([source[0]!, source[1]!, source[0]!])).rejects.toMatchObject({
            kind: 'stored-out-of-order',
            eventId: source[0]!.eventId,
          });
          expect(await store.readAll()).toEqual([]);
        },
      );

      it('refuses a recorded time that is not an ISO instant in milliseconds', async () => {
        const [first] = log();
        for (const recordedAt of ['2025-01-01T00:00:00Z', '2025-01-01 00:00:00.000Z', 'yesterday']) {
          await expect(store.importRecorded([{ ...first!, recordedAt }])).rejects.toMatchObject({
            kind: 'recorded-time-malformed',
          });
        }
        expect(await store.readAll()).toEqual([]);
      });

      itIf(guarantees.atomicImport, 'stores all events of one call or none of them', async () => {
        const source = log();
        const gap = { ...source[5]!, revision: 7n };
        await expect(store.importRecorded([...source.slice(0, 5), gap])).rejects.toBeInstanceOf(
          ImportRefusedError,
        );
        expect(await store.readAll()).toEqual([]);
      });

      itIf(
        guarantees.monotonicRecordedAt,
        'refuses a recorded time earlier than the last one stored',
        async () => {
          const source = log();
          await store.importRecorded(source.slice(0, 3));
          const earlier = { ...source[3]!, recordedAt: source[1]!.recordedAt };
          await expect(store.importRecorded([earlier])).rejects.toMatchObject({
            kind: 'recorded-time-backwards',
            eventId: earlier.eventId,
          });
        },
      );

      it('goes on with ordinary appends after the imported events', async () => {
        // recorded in 2099: the store's clock lies before the imported times
        const source = sealedLog([['thing-1', 2]], {
          recordedAtOf: (n) => new Date(Date.UTC(2099, 0, 1) + n * 1000).toISOString(),
        });
        const imported = await store.importRecorded(source);
        const appended = await store.append('thing-1', [event('After')], 1n);
        expect(appended.revision).toBe(2n);
        expect(appended.position).toBeGreaterThan(imported.position);
        const [last] = await store.readStream('thing-1', 2n);
        if (guarantees.monotonicRecordedAt) expect(last!.recordedAt >= source[1]!.recordedAt).toBe(true);
      });

      it('delivers imported events to subscribers with the recorded times they brought', async () => {
        const source = log();
        await store.importRecorded(source);
        const seen: RecordedEvent[] = [];
        const subscription = store.subscribeToAll({
          fromPosition: 0n,
          onEvents: (e) => void seen.push(...e),
        });
        const deadline = Date.now() + 5000;
        while (seen.length < source.length && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 20));
        await subscription.stop();
        expect(seen.map(kept)).toEqual(source.map(kept));
      });
    });

    describe('when subscribing', () => {
      const collect = (fromPosition: bigint) => {
        const seen: RecordedEvent[] = [];
        const waiters: Array<() => void> = [];
        const subscription = store.subscribeToAll({
          fromPosition,
          onEvents: (events) => {
            seen.push(...events);
            waiters.splice(0).forEach((wake) => wake());
          },
        });
        const until = async (count: number) => {
          const deadline = Date.now() + 5000;
          while (seen.length < count && Date.now() < deadline) {
            await new Promise<void>((resolve) => {
              waiters.push(resolve);
              setTimeout(resolve, 50);
            });
          }
          return seen;
        };
        return { subscription, until };
      };

      it('catches up on stored events and then follows new ones', async () => {
        await store.append('thing-1', [event('A'), event('B')], 'no-stream');
        const { subscription, until } = collect(0n);
        expect((await until(2)).map((e) => e.type)).toEqual(['A', 'B']);
        await store.append('thing-2', [event('C')], 'no-stream');
        expect((await until(3)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
        await subscription.stop();
      });

      it('starts strictly after the given position', async () => {
        const first = await store.append('thing-1', [event('A')], 'no-stream');
        await store.append('thing-1', [event('B')], 0n);
        const { subscription, until } = collect(first.position);
        const seen = await until(1);
        await subscription.stop();
        expect(seen.map((e) => e.type)).toEqual(['B']);
      });
    });
  });
}
