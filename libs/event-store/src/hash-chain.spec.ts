import type { Decider, DomainEvent, Instant } from '@ledger/domain';
import { createHash } from 'node:crypto';
import { CommandHandler } from './command-handler';
import type { EventToAppend, RecordedEvent } from './event-envelope';
import type { AppendResult, EventStore, ExpectedRevision } from './event-store.port';
import {
  ChainVerifier,
  envelopeFromJson,
  eventHash,
  GENESIS_HASH,
  logDigest,
  nextDigest,
  readLogPages,
  sealEvents,
  storeDigest,
  verifyChains,
  verifyStore,
} from './hash-chain';
import { envelopeToJson } from './event-envelope';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite/sqlite-database';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const metadata = { actor: { name: 'jogmec', roles: ['recorder'] }, correlationId: 'c-1', causationId: 'c-1' };

const draft = (n: number, data: unknown = { n }): EventToAppend => ({
  eventId: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  type: 'StockpileAcquired',
  schemaVersion: 1,
  effectiveAt: '2026-02-01T00:00:00.000Z',
  data,
  metadata: { ...metadata },
});

/** Builds a recorded log the way the handler and a store would: sealed per stream, positions in order. */
function buildLog(plan: [streamId: string, count: number][]): RecordedEvent[] {
  const log: RecordedEvent[] = [];
  const heads = new Map<string, RecordedEvent>();
  let position = 0n;
  let n = 0;
  for (const [streamId, count] of plan) {
    const previous = heads.get(streamId);
    const sealed = sealEvents(
      streamId,
      previous,
      Array.from({ length: count }, () => draft((n += 1))),
    );
    let revision = previous ? previous.revision : -1n;
    for (const event of sealed) {
      revision += 1n;
      position += 1n;
      const recorded: RecordedEvent = {
        ...event,
        streamId,
        revision,
        position,
        recordedAt: `2026-03-01T00:00:${String(position).padStart(2, '0')}.000Z`,
      };
      log.push(recorded);
      heads.set(streamId, recorded);
    }
  }
  return log;
}

const clone = (log: RecordedEvent[]): RecordedEvent[] => structuredClone(log);

describe('Hash chain', () => {
  describe('when sealing events', () => {
    it('links the first event of a stream to the genesis hash and each later one to its predecessor', () => {
      const [first, second] = sealEvents('stockpile-a', undefined, [draft(1), draft(2)]);
      expect(first!.metadata.prevHash).toBe(GENESIS_HASH);
      expect(first!.metadata.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(second!.metadata.prevHash).toBe(first!.metadata.hash);
      expect(GENESIS_HASH).toBe('0'.repeat(64));
    });

    it('hashes exactly the canonical JSON of the documented fields', () => {
      const [sealed] = sealEvents('stockpile-a', undefined, [draft(1, { b: 'x', a: [1, 'ü'] })]);
      const expected = sha256(
        '{"data":{"a":[1,"ü"],"b":"x"},"effectiveAt":"2026-02-01T00:00:00.000Z",' +
          '"eventId":"00000000-0000-7000-8000-000000000001",' +
          '"metadata":{"actor":{"name":"jogmec","roles":["recorder"]},"causationId":"c-1","correlationId":"c-1",' +
          `"prevHash":"${GENESIS_HASH}"},"prevHash":"${GENESIS_HASH}","revision":"0","schemaVersion":1,` +
          '"streamId":"stockpile-a","type":"StockpileAcquired"}',
      );
      expect(sealed!.metadata.hash).toBe(expected);
      expect(eventHash({ ...sealed!, streamId: 'stockpile-a', revision: 0n })).toBe(expected);
    });

    it('gives the same hash whatever the order of keys, and another for another revision', () => {
      const [a] = sealEvents('s-1', undefined, [draft(1, { x: 1, y: 2 })]);
      const [b] = sealEvents('s-1', undefined, [draft(1, { y: 2, x: 1 })]);
      expect(a!.metadata.hash).toBe(b!.metadata.hash);
      const [moved] = sealEvents('s-1', { ...a!, streamId: 's-1', revision: 4n }, [draft(1, { x: 1, y: 2 })]);
      expect(moved!.metadata.prevHash).toBe(a!.metadata.hash);
      expect(moved!.metadata.hash).not.toBe(a!.metadata.hash);
    });

    it('replaces a stale prevHash and hash when sealing again', () => {
      const [once] = sealEvents('s-1', undefined, [draft(1)]);
      const [twice] = sealEvents('s-1', undefined, [once!]);
      expect(twice).toEqual(once);
    });
  });

  describe('when verifying', () => {
    const plan: [string, number][] = [
      ['stockpile-a', 2],
      ['project-b', 1],
      ['stockpile-a', 2],
      ['project-b', 2],
    ];

    it('accepts an intact log and counts events and streams', () => {
      const log = buildLog(plan);
      const result = verifyChains(log);
      expect(result).toMatchObject({ verified: true, events: 7, streams: 2, lastPosition: 7n, failures: [] });
      expect(result.digest).toBe(logDigest(log));
    });

    it('names the stream, revision and event whose data was changed', () => {
      const log = clone(buildLog(plan));
      (log[3]!.data as { n: number }).n = 99;
      const result = verifyChains(log);
      expect(result.verified).toBe(false);
      expect(result.failures).toEqual([
        expect.objectContaining({
          kind: 'hash-mismatch',
          streamId: 'stockpile-a',
          revision: 2n,
          eventId: log[3]!.eventId,
          position: 4n,
        }),
      ]);
    });

    it('notices a changed effective time, event id or actor', () => {
      for (const alter of [
        (e: RecordedEvent) => (e.effectiveAt = '2025-01-01T00:00:00.000Z'),
        (e: RecordedEvent) => (e.eventId = '00000000-0000-7000-8000-999999999999'),
        (e: RecordedEvent) => (e.metadata.actor = { name: 'someone-else', roles: ['admin'] }),
      ]) {
        const log = clone(buildLog(plan));
        alter(log[1]!);
        expect(verifyChains(log).failures.map((f) => [f.kind, f.position])).toEqual([['hash-mismatch', 2n]]);
      }
    });

    it('notices an event rewritten with a fresh hash through the broken link of its successor', () => {
      const log = clone(buildLog(plan));
      const target = log[0]!;
      (target.data as { n: number }).n = 42;
      target.metadata = sealEvents(target.streamId, undefined, [target])[0]!.metadata;
      const result = verifyChains(log);
      expect(result.failures).toEqual([
        expect.objectContaining({ kind: 'broken-link', streamId: 'stockpile-a', revision: 1n, position: 2n }),
      ]);
    });

    it('notices a deleted event as a revision gap at the next event of its stream', () => {
      const log = buildLog(plan).filter((event) => event.position !== 4n);
      const result = verifyChains(log);
      expect(result.failures).toEqual([
        expect.objectContaining({
          kind: 'revision-gap',
          streamId: 'stockpile-a',
          revision: 3n,
          eventId: buildLog(plan)[4]!.eventId,
          message: 'revision 2 is missing before this event',
        }),
      ]);
    });

    it('notices two events of a stream swapped in the global order', () => {
      const log = clone(buildLog(plan));
      // positions travel with the rows, as when the rows' positions are exchanged in the table
      const [a, b] = [log[0]!, log[1]!];
      [a.position, b.position] = [b.position, a.position];
      const swapped = [b, a, ...log.slice(2)];
      const result = verifyChains(swapped);
      expect(result.failures.map((f) => [f.kind, f.streamId, f.revision])).toEqual([
        ['revision-gap', 'stockpile-a', 1n],
        // recorded times travel with the rows too
        ['recorded-at-order', 'stockpile-a', 0n],
        ['revision-order', 'stockpile-a', 0n],
      ]);
    });

    it('notices positions out of order and recorded time running backwards', () => {
      const log = buildLog([
        ['a-1', 1],
        ['b-1', 1],
      ]);
      const reversed = [log[1]!, { ...log[0]!, recordedAt: '2026-01-01T00:00:00.000Z' }];
      expect(verifyChains(reversed).failures.map((f) => f.kind)).toEqual([
        'position-order',
        'recorded-at-order',
      ]);
    });

    it('links events sealed after an unhashed one to what its content hashes to', () => {
      const [legacy] = buildLog([['a-1', 1]]);
      const { hash: _hash, prevHash: _prevHash, ...metadata } = legacy!.metadata;
      const unhashed: RecordedEvent = { ...legacy!, metadata };
      const [next] = sealEvents('a-1', unhashed, [draft(9)]);
      expect(next!.metadata.prevHash).toBe(eventHash(unhashed));
      const result = verifyChains([
        unhashed,
        { ...next!, streamId: 'a-1', revision: 1n, position: 2n, recordedAt: unhashed.recordedAt },
      ]);
      expect(result.failures.map((f) => [f.kind, f.revision])).toEqual([
        ['missing-hash', 0n],
        ['broken-link', 0n],
      ]);
    });

    it('reports an event without a hash', () => {
      const log = clone(buildLog([['a-1', 1]]));
      delete log[0]!.metadata.hash;
      expect(verifyChains(log).failures.map((f) => f.kind)).toEqual(['missing-hash']);
    });

    it('keeps at most maxFailures failures but counts them all', () => {
      const log = clone(buildLog([['a-1', 5]]));
      for (const event of log) event.data = { changed: true };
      const result = verifyChains(log, { maxFailures: 2 });
      expect(result.failures).toHaveLength(2);
      expect(result.failureCount).toBe(5);
    });
  });

  describe('the log digest', () => {
    it('is 64 zeros for an empty log and sha256(previous + hash) after each event', () => {
      const log = buildLog([['a-1', 2]]);
      expect(logDigest([])).toBe(GENESIS_HASH);
      const one = sha256(GENESIS_HASH + log[0]!.metadata.hash);
      expect(logDigest(log, 1n)).toBe(one);
      expect(logDigest(log)).toBe(sha256(one + log[1]!.metadata.hash));
      expect(nextDigest(GENESIS_HASH, log[0]!.metadata.hash as string)).toBe(one);
    });

    it('no longer matches once an event before its position was altered, even with the stored hash kept', () => {
      const log = buildLog(plan());
      const published = logDigest(log, 3n);
      const altered = clone(log);
      (altered[1]!.data as { n: number }).n = 7;
      expect(logDigest(altered, 3n)).not.toBe(published);
      // events after the cut do not change it
      const later = clone(log);
      (later[5]!.data as { n: number }).n = 7;
      expect(logDigest(later, 3n)).toBe(published);
    });

    it('is what the verifier folds', () => {
      const log = buildLog(plan());
      const verifier = new ChainVerifier();
      log.slice(0, 4).forEach((event) => verifier.add(event));
      expect(verifier.digest).toBe(logDigest(log, 4n));
    });

    function plan(): [string, number][] {
      return [
        ['a-1', 2],
        ['b-1', 2],
        ['a-1', 2],
      ];
    }
  });

  describe('the JSON form', () => {
    it('reads back what envelopeToJson wrote, and the hash still holds', () => {
      const log = buildLog([['a-1', 2]]);
      const lines = log.map((event) => JSON.stringify(envelopeToJson(event)));
      const back = lines.map((line) => envelopeFromJson(JSON.parse(line)));
      expect(back).toEqual(log);
      expect(verifyChains(back).verified).toBe(true);
    });

    it('refuses a line without a field', () => {
      const json = envelopeToJson(buildLog([['a-1', 1]])[0]!) as Record<string, unknown>;
      delete json.streamId;
      expect(() => envelopeFromJson(json)).toThrow(/streamId/);
      expect(() => envelopeFromJson({ ...json, streamId: 's', position: '1e3' })).toThrow(/position/);
    });
  });
});

interface Counter {
  total: number;
}
type CounterEvent = DomainEvent<'Counted', { by: number }>;
const counter: Decider<{ by: number }, CounterEvent, Counter> = {
  initialState: { total: 0 },
  evolve: (state, event) => ({ total: state.total + event.data.by }),
  decide: (command) => [
    { type: 'Counted', data: { by: command.by }, effectiveAt: '2026-01-01T00:00:00.000Z' as Instant },
  ],
};
const context = { actor: { name: 'ops', roles: ['admin'] }, correlationId: 'corr' };

describe('Hash chain through the command handler and a store', () => {
  let db: SqliteDatabase;
  let store: SqliteEventStore;

  beforeEach(() => {
    db = openSqliteDatabase(':memory:');
    store = new SqliteEventStore(db);
  });
  afterEach(async () => {
    await store.close();
    db.close();
  });

  it('seals every appended event so that the whole store verifies', async () => {
    const handler = new CommandHandler(store);
    for (const [streamId, by] of [
      ['counter-a', 1],
      ['counter-b', 2],
      ['counter-a', 3],
    ] as const) {
      await handler.handle({ decider: counter, streamId, command: { by }, context });
    }
    const stream = await store.readStream('counter-a');
    expect(stream[1]!.metadata.prevHash).toBe(stream[0]!.metadata.hash);
    const result = await verifyStore(store, { pageSize: 2 });
    expect(result).toMatchObject({ verified: true, events: 3, streams: 2, lastPosition: 3n });
    expect(result.digest).toBe(logDigest(await store.readAll()));
    expect(await storeDigest(store, 2n)).toEqual({
      position: 2n,
      digest: logDigest(await store.readAll(), 2n),
      events: 2,
    });
  });

  it('seals again for the new revision when a concurrent append wins the race', async () => {
    const handler = new CommandHandler(store);
    await handler.handle({ decider: counter, streamId: 'counter-a', command: { by: 1 }, context });
    let raced = false;
    const racing: EventStore = Object.create(store) as EventStore;
    racing.append = async (
      streamId: string,
      events: EventToAppend[],
      expected: ExpectedRevision,
    ): Promise<AppendResult> => {
      if (!raced) {
        raced = true;
        // another writer appends between our read and our append
        await new CommandHandler(store).handle({ decider: counter, streamId, command: { by: 10 }, context });
      }
      return store.append(streamId, events, expected);
    };
    racing.readStream = (streamId, from) => store.readStream(streamId, from);
    await new CommandHandler(racing).handle({
      decider: counter,
      streamId: 'counter-a',
      command: { by: 5 },
      context,
    });
    const stream = await store.readStream('counter-a');
    expect(stream.map((e) => (e.data as { by: number }).by)).toEqual([1, 10, 5]);
    expect((await verifyStore(store)).verified).toBe(true);
  });

  it('walks the log in pages up to the head at the start', async () => {
    const handler = new CommandHandler(store);
    for (let by = 1; by <= 5; by += 1)
      await handler.handle({ decider: counter, streamId: 'counter-a', command: { by }, context });
    const pages: bigint[][] = [];
    for await (const page of readLogPages(store, { fromPosition: 1n, toPosition: 4n, pageSize: 2 }))
      pages.push(page.map((event) => event.position));
    expect(pages).toEqual([[2n, 3n], [4n]]);
  });
});
