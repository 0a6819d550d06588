import type { Decider, DomainEvent, Instant } from '@ledger/domain';
import {
  ChainVerifier,
  chainVerificationToJson,
  describeChainFailure,
  verifyChains,
  verifyStore,
} from './chain-verifier';
import { CommandHandler } from './command-handler';
import { canonicalJson } from './canonical-json';
import {
  type EventToAppend,
  type LogEntry,
  parseStoredEvent,
  type RecordedEvent,
  type StoredLogEntry,
} from './event-envelope';
import type { AppendResult, EventStore, ExpectedRevision } from './event-store.port';
import { GENESIS_CHECKPOINT, logDigest, nextDigestCheckpoint, storeDigest } from './log-digest';
import { readLogPages } from './log-pages';
import { eventHash, sealEvents, storedEventHash } from './seal';
import { sha256Hex } from './sha256';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite/sqlite-database';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { draftEvent as draft, sealedLog as buildLog } from './testing/sealed-log';

const clone = (log: RecordedEvent[]): RecordedEvent[] => structuredClone(log);

/** The log as an export writes it: each line with its sequence and the running digest through it. */
function withEvidence(log: RecordedEvent[]): LogEntry[] {
  let checkpoint = GENESIS_CHECKPOINT;
  return log.map((event) => {
    checkpoint = nextDigestCheckpoint(checkpoint, event);
    return { ...structuredClone(event), sequence: checkpoint.sequence, digest: checkpoint.digest };
  });
}

/** The log as a store holds it: data and metadata as the canonical text the stores write. */
const asStored = (log: LogEntry[]): StoredLogEntry[] =>
  log.map(({ data, metadata, ...envelope }) => ({
    ...envelope,
    dataText: canonicalJson(data),
    metadataText: canonicalJson(metadata),
  }));

const yearLater = (recordedAt: string): string => {
  const date = new Date(recordedAt);
  date.setUTCFullYear(date.getUTCFullYear() + 1);
  return date.toISOString();
};

describe('Hash chain', () => {
  describe('when verifying', () => {
    const plan: [string, number][] = [
      ['stockpile-a', 2],
      ['project-b', 1],
      ['stockpile-a', 2],
      ['project-b', 2],
    ];

    it('accepts an intact log and counts events, streams and the sequence', () => {
      const log = buildLog(plan);
      const result = verifyChains(log);
      expect(result).toMatchObject({
        verified: true,
        events: 7,
        streams: 2,
        sequence: 7n,
        lastPosition: 7n,
        digestVersion: 2,
        densePositions: true,
        failures: [],
      });
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

    it.each([
      ['effective time', (e: RecordedEvent) => (e.effectiveAt = '2025-01-01T00:00:00.000Z')],
      ['event id', (e: RecordedEvent) => (e.eventId = '00000000-0000-7000-8000-999999999999')],
      ['actor', (e: RecordedEvent) => (e.metadata.actor = { name: 'someone-else', roles: ['admin'] })],
    ])('notices a changed %s', (_field, alter) => {
      const log = clone(buildLog(plan));
      alter(log[1]!);
      expect(verifyChains(log).failures.map((f) => [f.kind, f.position])).toEqual([['hash-mismatch', 2n]]);
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
        ['revision-order', 'stockpile-a', 0n],
      ]);
    });

    it('notices positions out of order', () => {
      const log = buildLog([
        ['a-1', 1],
        ['b-1', 1],
      ]);
      expect(verifyChains([log[1]!, log[0]!]).failures.map((f) => f.kind)).toEqual(['position-order']);
    });

    it('takes a recorded time that steps back for the clock, not tampering, and digests the running maximum', () => {
      const log = buildLog([['a-1', 3]]);
      const steppedBack = clone(log);
      steppedBack[2]!.recordedAt = '2026-02-01T00:00:00.000Z';
      const clamped = clone(log);
      clamped[2]!.recordedAt = clamped[1]!.recordedAt;
      const result = verifyChains(steppedBack);
      expect(result).toMatchObject({ verified: true, failures: [] });
      expect(result.digest).toBe(logDigest(clamped));
      expect(result.digest).not.toBe(logDigest(log));
    });

    it('reports positions with gaps, as EventStoreDB gives them, without failing, and digests them alike', () => {
      const dense = buildLog(plan);
      const offsets = buildLog(plan, { positionOf: (sequence) => BigInt(sequence) * 137n + 4096n });
      const result = verifyChains(offsets);
      expect(result).toMatchObject({
        verified: true,
        sequence: 7n,
        lastPosition: 7n * 137n + 4096n,
        densePositions: false,
      });
      // the digest covers the sequence, not the store's positions: it survives a move between stores
      expect(result.digest).toBe(verifyChains(dense).digest);
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

    it('folds the version 1 digest when asked, for digests published before version 2', () => {
      const log = buildLog(plan);
      expect(verifyChains(log, { digestVersion: 1 })).toMatchObject({
        verified: true,
        digest: logDigest(log, { version: 1 }),
        digestVersion: 1,
      });
      expect(logDigest(log, { version: 1 })).not.toBe(logDigest(log));
    });
  });

  describe('when the log lines carry their sequence and digest', () => {
    const plan: [string, number][] = [
      ['stockpile-a', 3],
      ['project-b', 3],
      ['stockpile-a', 2],
    ];

    it('accepts the evidence of an intact export', () => {
      expect(verifyChains(withEvidence(buildLog(plan)))).toMatchObject({ verified: true, failures: [] });
    });

    it('names the first event whose recorded time was shifted, once, though every later digest differs', () => {
      const lines = withEvidence(buildLog(plan));
      for (const line of lines.slice(4)) line.recordedAt = yearLater(line.recordedAt);
      const result = verifyChains(lines);
      expect(result.failureCount).toBe(1);
      expect(result.failures).toEqual([
        expect.objectContaining({
          kind: 'digest-mismatch',
          eventId: lines[4]!.eventId,
          position: 5n,
          message: expect.stringMatching(
            /^sequence 5, digest [0-9a-f]{64} recorded for this event \(by a log line, or by the log index when the event was first read\), but the log up to here gives sequence 5, digest [0-9a-f]{64}: its recorded time \(2027-03-01T00:00:05.000Z\), its position in the log or an earlier event was altered$/,
          ),
        }),
      ]);
    });

    it('names an edited event once, by its hash, and not again by its digest or those after it', () => {
      const lines = withEvidence(buildLog(plan));
      (lines[2]!.data as { n: number }).n = 0;
      expect(verifyChains(lines).failures.map((f) => [f.kind, f.position])).toEqual([['hash-mismatch', 3n]]);
    });

    it('names the event after a removed line by its sequence', () => {
      const lines = withEvidence(buildLog(plan)).filter((line) => line.sequence !== 7n);
      expect(verifyChains(lines).failures.map((f) => [f.kind, f.position])).toEqual([
        ['digest-mismatch', 8n],
        ['revision-gap', 8n],
      ]);
    });

    it('checks lines that carry only some of the evidence, as far as they go', () => {
      const lines = withEvidence(buildLog(plan)).map(({ digest: _digest, ...line }) => line);
      expect(verifyChains(lines).verified).toBe(true);
      lines[2]!.sequence = 9n;
      expect(verifyChains(lines).failures.map((f) => f.kind)).toEqual(['digest-mismatch']);
    });
  });

  describe('when going on from a checkpoint', () => {
    const log = buildLog([
      ['stockpile-a', 3],
      ['project-b', 2],
      ['stockpile-a', 2],
      ['project-b', 2],
    ]);

    it('gives the same digest, sequence and position as a verification from the start', () => {
      const first = new ChainVerifier();
      log.slice(0, 4).forEach((event) => first.add(event));
      const rest = verifyChains(log.slice(4), { from: first.checkpoint });
      const whole = verifyChains(log);
      expect(rest).toMatchObject({
        verified: true,
        events: 5,
        sequence: whole.sequence,
        lastPosition: whole.lastPosition,
        digest: whole.digest,
      });
    });

    it('still checks each stream from its first event after the checkpoint on', () => {
      const first = new ChainVerifier();
      log.slice(0, 4).forEach((event) => first.add(event));
      const rest = clone(log.slice(4));
      rest[3]!.metadata.prevHash = '1'.repeat(64);
      expect(
        verifyChains(rest, { from: first.checkpoint }).failures.map((f) => [f.kind, f.position]),
      ).toEqual([
        ['hash-mismatch', 8n],
        ['broken-link', 8n],
      ]);
      expect(
        verifyChains(log.slice(3), { from: first.checkpoint }).failures.map((f) => [f.kind, f.position]),
      ).toEqual([['position-order', 4n]]);
    });

    it('refuses version 1 from a checkpoint, which holds a version 2 digest', () => {
      const first = new ChainVerifier();
      log.slice(0, 2).forEach((event) => first.add(event));
      expect(() => new ChainVerifier({ from: first.checkpoint, digestVersion: 1 })).toThrow(RangeError);
    });
  });

  describe('when the events come as stored (data and metadata unparsed)', () => {
    const plan: [string, number][] = [
      ['stockpile-a', 2],
      ['project-b', 2],
      ['stockpile-a', 2],
    ];
    /** the canonical JSON `eventHash` serialises, written out here for a row with the given text */
    const hashedText = (event: StoredLogEntry, dataText: string, metadataWithoutHash: string) =>
      `{"data":${dataText},"effectiveAt":${JSON.stringify(event.effectiveAt)},"eventId":"${event.eventId}",` +
      `"metadata":${metadataWithoutHash},"prevHash":"${String(JSON.parse(metadataWithoutHash).prevHash)}",` +
      `"revision":"${event.revision}","schemaVersion":${event.schemaVersion},"streamId":"${event.streamId}",` +
      `"type":"${event.type}"}`;

    /** Every verdict, failure message and digest on the stored form equals the one on the parsed form. */
    const expectSameVerdictAsParsed = (stored: StoredLogEntry[]) => {
      const parsed = stored.map((event) => parseStoredEvent(event));
      const verdict = verifyChains(stored);
      expect(verdict).toEqual(verifyChains(parsed));
      expect(stored.map(storedEventHash)).toEqual(parsed.map(eventHash));
      expect(logDigest(stored)).toBe(logDigest(parsed));
      return verdict;
    };

    it('hashes canonical text to exactly what the parsed event hashes to', () => {
      const stored = asStored(withEvidence(buildLog(plan)));
      expect(expectSameVerdictAsParsed(stored)).toMatchObject({ verified: true, events: 6 });
    });

    it.each([
      ['data', (e: StoredLogEntry) => (e.dataText = '{"n":99}')],
      ['effective time', (e: StoredLogEntry) => (e.effectiveAt = '2025-01-01T00:00:00.000Z')],
      ['revision', (e: StoredLogEntry) => (e.revision = 7n)],
      [
        'stored hash',
        (e: StoredLogEntry) => (e.metadataText = e.metadataText.replace(/"hash":"./, '"hash":"x')),
      ],
      [
        'prevHash',
        (e: StoredLogEntry) => (e.metadataText = e.metadataText.replace(/"prevHash":"./, '"prevHash":"x')),
      ],
      ['hash removed', (e: StoredLogEntry) => (e.metadataText = e.metadataText.replace(/"hash":"\w+",/, ''))],
      [
        'hash a number',
        (e: StoredLogEntry) => (e.metadataText = e.metadataText.replace(/"hash":"\w+"/, '"hash":5')),
      ],
      [
        'prevHash escaped',
        (e: StoredLogEntry) => (e.metadataText = e.metadataText.replace(/"prevHash":"./, '"prevHash":"\\n')),
      ],
      ['metadata an array', (e: StoredLogEntry) => (e.metadataText = `[${e.metadataText}]`)],
      ['recorded time', (e: StoredLogEntry) => (e.recordedAt = '2027-01-01T00:00:00.000Z')],
    ])('judges a row whose %s was altered exactly as the parsed row', (_what, alter) => {
      const stored = asStored(withEvidence(buildLog(plan)));
      alter(stored[3]!);
      expect(expectSameVerdictAsParsed(stored).verified).toBe(false);
    });

    it('verifies legacy rows whose text is not canonical by their canonical form, as before', () => {
      const stored = asStored(buildLog(plan));
      // as an older version may have written them: spaces, 1.0 for 1, members in another order
      stored[2]!.dataText = stored[2]!.dataText.replace(/^\{"n":(\d+)\}$/, '{ "n" : $1.0 }');
      expect(stored[2]!.dataText).toBe('{ "n" : 3.0 }');
      const reordered = Object.entries(JSON.parse(stored[4]!.metadataText) as object).reverse();
      stored[4]!.metadataText = JSON.stringify(Object.fromEntries(reordered));
      expect(expectSameVerdictAsParsed(stored)).toMatchObject({ verified: true, failures: [] });
    });

    it('refuses a row rewritten in non-canonical text with a hash of that text, as the parsed row is refused', () => {
      const stored = asStored(buildLog(plan));
      const forged = stored[2]!;
      const { hash: _hash, ...metadata } = JSON.parse(forged.metadataText) as Record<string, unknown>;
      forged.dataText = '{"n":3.0}';
      // the hash of the text as it stands: a fast path that trusted the text unchecked would accept it
      const forgedHash = sha256Hex(hashedText(forged, forged.dataText, canonicalJson(metadata)));
      forged.metadataText = canonicalJson({ ...metadata, hash: forgedHash });
      const verdict = expectSameVerdictAsParsed(stored);
      expect(verdict.failures.map((f) => [f.kind, f.position])).toEqual([
        ['hash-mismatch', 3n],
        ['broken-link', 4n],
      ]);
      // the hash of the canonical text is what the stored row is judged by, as ever
      expect(storedEventHash(forged)).toBe(sha256Hex(hashedText(forged, '{"n":3}', canonicalJson(metadata))));
    });

    it('throws on a row the parsed form throws on', () => {
      const stored = asStored(buildLog(plan));
      stored[1]!.dataText = '{"n":';
      expect(() => verifyChains(stored)).toThrow(SyntaxError);
      const unversioned = asStored(buildLog(plan));
      unversioned[1]!.schemaVersion = Number.NaN;
      expect(() => verifyChains(unversioned)).toThrow(TypeError);
      expect(() => verifyChains(unversioned.map((event) => parseStoredEvent(event)))).toThrow(TypeError);
    });
  });

  describe('the JSON form', () => {
    it('gives 64-bit numbers as strings, and a failure as one line', () => {
      const log = clone(buildLog([['a-1', 2]]));
      (log[1]!.data as { n: number }).n = 5;
      const result = verifyChains(log);
      expect(chainVerificationToJson(result)).toEqual({
        verified: false,
        events: 2,
        streams: 1,
        sequence: '2',
        lastPosition: '2',
        densePositions: true,
        digest: result.digest,
        digestVersion: 2,
        failures: [expect.objectContaining({ kind: 'hash-mismatch', revision: '1', position: '2' })],
        failureCount: 1,
      });
      expect(describeChainFailure(result.failures[0]!)).toMatch(
        new RegExp(
          `^hash-mismatch: stream a-1 revision 1 event ${log[1]!.eventId} \\(position 2\\): stored hash`,
        ),
      );
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
    expect(result).toMatchObject({ verified: true, events: 3, streams: 2, lastPosition: 3n, sequence: 3n });
    expect(result.digest).toBe(logDigest(await store.readAll()));
    const log = await store.readAll();
    expect(await storeDigest(store, 2n)).toEqual({
      position: 2n,
      sequence: 2n,
      digest: logDigest(log, 2n),
      recordedAt: log[1]!.recordedAt,
      version: 2,
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

  it('judges the rows as stored exactly as parsed: a legacy row verifies, an altered one is named', async () => {
    const handler = new CommandHandler(store);
    for (let by = 1; by <= 6; by += 1)
      await handler.handle({ decider: counter, streamId: `counter-${by % 2}`, command: { by }, context });
    expect(await verifyStore(store)).toEqual(verifyChains(await store.readAll()));
    // text an older version may have written (spaced, 2.0 for 2), then an edit that kept the stored hash
    db.prepare(`UPDATE events SET data = '{ "by" : 2.0 }' WHERE position = 2`).run();
    db.prepare(`UPDATE events SET data = '{"by":99}' WHERE position = 5`).run();
    const verdict = await verifyStore(store, { pageSize: 2 });
    expect(verdict).toEqual(verifyChains(await store.readAll()));
    expect(verdict.failures.map((f) => [f.kind, f.position])).toEqual([['hash-mismatch', 5n]]);
    expect((await storeDigest(store)).digest).toBe(logDigest(await store.readAll()));
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

  it('goes on from a checkpoint: the digest at the head is the checkpoint plus the events after it', async () => {
    const handler = new CommandHandler(store);
    for (let by = 1; by <= 6; by += 1)
      await handler.handle({ decider: counter, streamId: `counter-${by % 2}`, command: { by }, context });
    const whole = await storeDigest(store);
    const checkpoint = await storeDigest(store, { sequence: 4n });
    expect(checkpoint).toMatchObject({ position: 4n, sequence: 4n, events: 4 });
    expect(await storeDigest(store, { from: checkpoint, pageSize: 1 })).toEqual(whole);
    expect(await storeDigest(store, { sequence: 99n })).toEqual(whole);
    expect(await verifyStore(store, { from: checkpoint })).toMatchObject({
      verified: true,
      events: 2,
      sequence: 6n,
      digest: whole.digest,
    });
    expect((await storeDigest(store, { version: 1 })).digest).toBe(
      logDigest(await store.readAll(), { version: 1 }),
    );
  });
});
