import { canonicalJson } from './canonical-json';
import type { LogEntry, RecordedEvent, StoredLogEntry } from './event-envelope';
import type { EventStore, ImportResult } from './event-store.port';
import { logDigest, storeDigest } from './log-digest';
import { importLog, type ImportLogProgress } from './log-import';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite/sqlite-database';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { sealedLog } from './testing/sealed-log';

const plan: [string, number][] = [
  ['stockpile-a', 2],
  ['supply-jp', 3],
  ['stockpile-a', 1],
  ['project-b', 4],
];

/** A log as another store gave it: positions of its own (byte offsets here), the evidence left out. */
const sourceLog = (options: Parameters<typeof sealedLog>[1] = {}) =>
  sealedLog(plan, { positionOf: (n) => 4096n * BigInt(n), ...options });

async function* streamed<Event>(events: Event[]): AsyncGenerator<Event> {
  yield* events;
}

/** The log as a store's `readAllStored` gives it: data and metadata as canonical text. */
const asStored = (log: LogEntry[]): StoredLogEntry[] =>
  log.map(({ data, metadata, ...envelope }) => ({
    ...envelope,
    dataText: canonicalJson(data),
    metadataText: canonicalJson(metadata),
  }));

const withoutPosition = ({ position: _position, ...event }: RecordedEvent) => event;

describe('importLog', () => {
  let db: SqliteDatabase;
  let target: SqliteEventStore;

  beforeEach(() => {
    db = openSqliteDatabase(':memory:');
    target = new SqliteEventStore(db);
  });
  afterEach(async () => {
    await target.close();
    db.close();
  });

  it('copies a log into an empty store, which then gives the digest computed over the source', async () => {
    const source = sourceLog();
    const progress: ImportLogProgress[] = [];
    const result = await importLog(streamed(source), target, {
      batchSize: 4,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toEqual({
      sequence: 10n,
      resumed: 0,
      imported: 10,
      digest: logDigest(source),
      position: 10n,
    });
    expect(progress.map((p) => p.imported)).toEqual([4, 8, 10]);
    const stored = await target.readAll();
    expect(stored.map(withoutPosition)).toEqual(source.map(withoutPosition));
    expect((await storeDigest(target, { sequence: 10n })).digest).toBe(result.digest);
  });

  it('copies a log given as stored exactly as the parsed log, resuming against it too', async () => {
    const source = sourceLog();
    const stored = asStored(source);
    // an older version's text: spaced, a number written 5.0, members in another order
    stored[4]!.dataText = '{ "n" : 5.0 }';
    stored[6]!.metadataText = JSON.stringify(
      Object.fromEntries(Object.entries(JSON.parse(stored[6]!.metadataText) as object).reverse()),
    );
    await importLog(streamed(stored.slice(0, 5)), target, { batchSize: 2 });
    const result = await importLog(streamed(stored), target, { batchSize: 4 });
    expect(result).toEqual({
      sequence: 10n,
      resumed: 5,
      imported: 5,
      digest: logDigest(source),
      position: 10n,
    });
    expect((await target.readAll()).map(withoutPosition)).toEqual(source.map(withoutPosition));
    // written in canonical form, whatever the text given
    expect((await target.readAllStored()).map((e) => [e.dataText, e.metadataText])).toEqual(
      asStored(source).map((e) => [e.dataText, e.metadataText]),
    );
  });

  it('refuses a log given as stored whose text was altered, as it refuses the parsed log', async () => {
    const stored = asStored(sourceLog());
    stored[5]!.dataText = '{"n":99}';
    await expect(importLog(streamed(stored), target, { batchSize: 4 })).rejects.toMatchObject({
      reason: 'source-not-verified',
      message: expect.stringContaining('hash-mismatch'),
    });
    expect(await target.readAll()).toHaveLength(4);
  });

  it('resumes after the events the target holds already, writing only the rest', async () => {
    const source = sourceLog();
    await importLog(streamed(source.slice(0, 6)), target);
    const result = await importLog(streamed(source), target, { batchSize: 3 });
    expect(result).toMatchObject({ sequence: 10n, resumed: 6, imported: 4 });
    expect((await target.readAll()).map((e) => e.eventId)).toEqual(source.map((e) => e.eventId));
  });

  it('refuses a target that holds other events, writing nothing', async () => {
    const other = sealedLog([['elsewhere-1', 2]]);
    await target.importRecorded(other);
    await expect(importLog(streamed(sourceLog()), target)).rejects.toMatchObject({
      name: 'LogImportRefusedError',
      reason: 'target-not-a-prefix',
      message: expect.stringContaining('its event at sequence 1 (elsewhere-1@0'),
    });
    expect(await target.readAll()).toHaveLength(2);
  });

  it('refuses a target that holds more events than the log', async () => {
    const source = sourceLog();
    await importLog(streamed(source), target);
    await expect(importLog(streamed(source.slice(0, 4)), target)).rejects.toMatchObject({
      reason: 'target-not-a-prefix',
      message: expect.stringContaining("it holds more events than this log's 4"),
    });
  });

  it('refuses a log that does not verify, writing none of the batch where it fails', async () => {
    const source = sourceLog();
    source[6] = { ...source[6]!, data: { altered: true } };
    await expect(importLog(streamed(source), target, { batchSize: 4 })).rejects.toMatchObject({
      name: 'LogImportRefusedError',
      reason: 'source-not-verified',
      message: expect.stringContaining(
        `hash-mismatch: stream project-b revision 0 event ${source[6]!.eventId}`,
      ),
    });
    expect(await target.readAll()).toHaveLength(4);
  });

  it('refuses a log whose lines carry a digest that differs from the recomputed one', async () => {
    const source: LogEntry[] = sourceLog().map((event, index) => ({
      ...event,
      sequence: BigInt(index + 1),
      digest: '0'.repeat(64),
    }));
    await expect(importLog(streamed(source), target)).rejects.toMatchObject({
      reason: 'source-not-verified',
      message: expect.stringContaining('digest-mismatch'),
    });
    expect(await target.readAll()).toEqual([]);
  });

  it('writes the running maximum of recorded times that stepped back, which the digest covers already', async () => {
    // an EventStoreDB log whose server clock stepped back an hour at the fourth event
    const times = sourceLog().map((event) => event.recordedAt);
    const source = sourceLog({
      recordedAtOf: (n) =>
        n === 4 ? new Date(Date.parse(times[2]!) - 3_600_000).toISOString() : times[n - 1]!,
    });
    const result = await importLog(streamed(source), target);
    const stored = await target.readAll();
    expect(stored[3]!.recordedAt).toBe(stored[2]!.recordedAt);
    expect(stored.filter((_, index) => index !== 3).map((e) => e.recordedAt)).toEqual(
      source.filter((_, index) => index !== 3).map((e) => e.recordedAt),
    );
    expect((await storeDigest(target)).digest).toBe(logDigest(source));
    expect(result.digest).toBe(logDigest(source));
  });

  it('is refused by the store, not half-written, when the target changes under it', async () => {
    const source = sourceLog();
    // another writer takes a stream revision the log needs, between the comparison and the write
    const racing: EventStore = Object.create(target) as EventStore;
    racing.importRecorded = async (events): Promise<ImportResult> => {
      await target.importRecorded([{ ...events[0]!, eventId: '00000000-0000-7000-8000-999999999999' }]);
      return target.importRecorded(events);
    };
    await expect(importLog(streamed(source), racing)).rejects.toMatchObject({
      name: 'ImportRefusedError',
      kind: 'conflicting-event',
    });
    expect(await target.readAll()).toHaveLength(1);
  });
});
