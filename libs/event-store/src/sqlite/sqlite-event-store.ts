import { EventEmitter } from 'node:events';
import { canonicalJson } from '../canonical-json';
import { pollingSubscription } from '../polling-subscription';
import type { EventToAppend, RecordedEvent, RecordedOrStoredEvent, StoredEvent } from '../event-envelope';
import {
  type AppendResult,
  DuplicateEventIdError,
  type EventStore,
  type ExpectedRevision,
  ImportRefusedError,
  type ImportResult,
  type ReadAllOptions,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';
import {
  canonicalContent,
  checkRecordedAt,
  conflictingEvent,
  recordedEventDifference,
} from '../recorded-import';
import type { SqliteDatabase } from './sqlite-database';

interface EventRow {
  position: bigint;
  event_id: string;
  stream_id: string;
  revision: bigint;
  type: string;
  schema_version: bigint;
  recorded_at: string;
  effective_at: string;
  data: string;
  metadata: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    -- AUTOINCREMENT: a position is never reused, even after the newest row is deleted
    position       INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id       TEXT    NOT NULL UNIQUE,
    stream_id      TEXT    NOT NULL,
    revision       INTEGER NOT NULL,
    type           TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    recorded_at    TEXT    NOT NULL,
    effective_at   TEXT    NOT NULL,
    data           TEXT    NOT NULL,
    metadata       TEXT    NOT NULL,
    UNIQUE (stream_id, revision)
  );
`;

/** Errors that refuse one append, as opposed to a failing database. */
const isRefusal = (error: unknown): boolean =>
  error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError;

interface PendingAppend {
  streamId: string;
  events: EventToAppend[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

const POLL_INTERVAL_MS = 200;
const RETRY_PAUSE_MS = 500;

/** The columns of a stored event, in the order `storedEventOfRow` and `recordedEventOfRow` read them. */
const STORED_COLUMNS =
  'position, event_id, stream_id, revision, type, schema_version, recorded_at, effective_at, data, metadata';
type StoredRow = [bigint, string, string, bigint, string, bigint, string, string, string, string];

const storedEventOfRow = (row: StoredRow): StoredEvent => ({
  eventId: row[1],
  streamId: row[2],
  revision: row[3],
  position: row[0],
  type: row[4],
  schemaVersion: Number(row[5]),
  recordedAt: row[6],
  effectiveAt: row[7],
  dataText: row[8],
  metadataText: row[9],
});

const recordedEventOfRow = (row: StoredRow): RecordedEvent => ({
  eventId: row[1],
  streamId: row[2],
  revision: row[3],
  position: row[0],
  type: row[4],
  schemaVersion: Number(row[5]),
  recordedAt: row[6],
  effectiveAt: row[7],
  data: JSON.parse(row[8]),
  metadata: JSON.parse(row[9]),
});

const toRecorded = (row: EventRow): RecordedEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  revision: row.revision,
  position: row.position,
  type: row.type,
  schemaVersion: Number(row.schema_version),
  recordedAt: row.recorded_at,
  effectiveAt: row.effective_at,
  data: JSON.parse(row.data),
  metadata: JSON.parse(row.metadata),
});

/**
 * The embedded event store: one table in the ledger's SQLite file, one transaction per append.
 * Subscribers in this process are woken on append; others (a projector process) poll.
 */
export class SqliteEventStore implements EventStore {
  /** Appends are committed in the order requested, each in its own savepoint of the group's transaction. */
  readonly ordersAppendsPerStream = true;
  /** Positions are 1..N: the rowid of an append-only table (AUTOINCREMENT, nothing ever deleted). */
  readonly positionsAreDense = true;
  private readonly appended = new EventEmitter();
  private lastRecordedAt = '';

  private readonly statements;
  private readonly pending: PendingAppend[] = [];
  private readonly commitGroup: (
    group: PendingAppend[],
    outcomes: Array<{ result: AppendResult } | { error: unknown }>,
  ) => void;
  private readonly importInTransaction: (
    events: RecordedOrStoredEvent[],
  ) => ImportResult & { recordedAt: string };

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: () => Date = () => new Date(),
    /** what closing the store also closes: the connection, when the store opened it itself */
    private readonly onClose?: () => void,
  ) {
    db.exec(SCHEMA);
    this.appended.setMaxListeners(0);
    const prepare = (sql: string) => db.prepare(sql).safeIntegers(true);
    this.statements = {
      // the stream's last event: its revision, and the hash the next event must link to
      streamHead: prepare(
        `SELECT revision, json_extract(metadata, '$.hash') AS hash FROM events
          WHERE stream_id = ? ORDER BY revision DESC LIMIT 1`,
      ),
      byEventId: prepare('SELECT * FROM events WHERE event_id = ?'),
      // an import's: which ids of a batch are stored already (one statement instead of a lookup per event)
      storedIdsAmong: prepare(
        'SELECT event_id FROM events WHERE event_id IN (SELECT value FROM json_each(?))',
      ).pluck(),
      // an import's: a stream's last revision, without the hash that streamHead extracts from the JSON
      streamRevision: prepare(
        'SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
      ).pluck(),
      importInsert: prepare(
        `INSERT INTO events (event_id, stream_id, revision, type, schema_version, recorded_at, effective_at, data, metadata)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insert: prepare(
        `INSERT INTO events (event_id, stream_id, revision, type, schema_version, recorded_at, effective_at, data, metadata)
         VALUES (@eventId, @streamId, @revision, @type, @schemaVersion, @recordedAt, @effectiveAt, @data, @metadata)`,
      ),
      readStream: prepare('SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision'),
      // The log walks read rows as arrays: better-sqlite3 builds an array faster than an object per row.
      readAll: prepare(
        `SELECT ${STORED_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
      ).raw(true),
      head: prepare('SELECT COALESCE(MAX(position), 0) FROM events').pluck(),
      lastRecordedAt: prepare('SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1').pluck(),
    };
    this.lastRecordedAt = (this.statements.lastRecordedAt.get() as string | undefined) ?? '';
    // Nested better-sqlite3 transactions are savepoints.
    const appendInSavepoint = db.transaction((append: PendingAppend) => this.appendOne(append));
    const group = db.transaction(
      (appends: PendingAppend[], outcomes: Array<{ result: AppendResult } | { error: unknown }>) => {
        for (const append of appends) {
          try {
            outcomes.push({ result: appendInSavepoint(append) });
          } catch (error) {
            outcomes.push({ error });
          }
        }
      },
    );
    const importAll = db.transaction((events: RecordedOrStoredEvent[]) => this.importEvents(events));
    this.importInTransaction = (events) => importAll.immediate(events);
    // A group of one needs no savepoint: its refusal may roll back the whole transaction.
    const single = db.transaction((append: PendingAppend) => this.appendOne(append));
    this.commitGroup = (appends, outcomes) => {
      if (appends.length > 1) return group.immediate(appends, outcomes);
      try {
        outcomes.push({ result: single.immediate(appends[0]!) });
      } catch (error) {
        if (!isRefusal(error)) throw error;
        outcomes.push({ error });
      }
    };
  }

  /** One append's checks and inserts; runs inside a savepoint of the group commit's transaction. */
  private appendOne({ streamId, events, expected }: PendingAppend): AppendResult {
    const first = events[0];
    const existing = first
      ? (this.statements.byEventId.get(first.eventId) as EventRow | undefined)
      : undefined;
    if (existing) return this.replayedAppend(streamId, events, existing);

    const last = this.statements.streamHead.get(streamId) as
      { revision: bigint; hash: string | null } | undefined;
    const head = last?.revision ?? null;
    const actual = head ?? 'no-stream';
    const matches =
      expected === 'any' || (expected === 'no-stream' ? head === null : head !== null && head === expected);
    if (!matches) throw new WrongExpectedRevisionError(streamId, expected, actual);
    // An append decided on an append that never committed (pipelined behind it) may find the stream at the
    // revision it expects, reached by another writer's events: the hash link tells them apart.
    const linksTo = first?.metadata.prevHash;
    if (
      expected !== 'any' &&
      typeof linksTo === 'string' &&
      typeof last?.hash === 'string' &&
      linksTo !== last.hash
    ) {
      throw new WrongExpectedRevisionError(streamId, expected, actual);
    }

    // Recorded time never runs backwards in position order, so "known at time T" is a clean cut.
    const now = this.clock().toISOString();
    const recordedAt = now > this.lastRecordedAt ? now : this.lastRecordedAt;
    let revision = head ?? -1n;
    let position = 0n;
    for (const event of events) {
      revision += 1n;
      try {
        const info = this.statements.insert.run({
          eventId: event.eventId,
          streamId,
          revision,
          type: event.type,
          schemaVersion: event.schemaVersion,
          recordedAt,
          effectiveAt: event.effectiveAt,
          // stored canonically: hashing the event again later takes canonicalJson's fast path
          data: canonicalJson(event.data),
          metadata: canonicalJson(event.metadata),
        });
        position = BigInt(info.lastInsertRowid);
      } catch (error) {
        if (
          (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
          /event_id/.test(String(error))
        ) {
          throw new DuplicateEventIdError(event.eventId);
        }
        throw error;
      }
    }
    this.lastRecordedAt = recordedAt;
    return {
      streamId,
      revision,
      position,
      eventIds: events.map((event) => event.eventId),
      deduplicated: false,
    };
  }

  /** The first event id is stored already: a retry of the same append is a no-op, anything else a clash. */
  private replayedAppend(streamId: string, events: EventToAppend[], first: EventRow): AppendResult {
    const stored = this.statements.readStream.all(streamId, first.revision) as EventRow[];
    const same =
      first.stream_id === streamId &&
      stored.length >= events.length &&
      events.every((event, index) => stored[index]?.event_id === event.eventId);
    if (!same) throw new DuplicateEventIdError(first.event_id);
    const last = stored[events.length - 1]!;
    return {
      streamId,
      revision: last.revision,
      position: last.position,
      eventIds: events.map((event) => event.eventId),
      deduplicated: true,
    };
  }

  /**
   * Appends are committed in groups: every append requested while the event loop was busy joins one
   * transaction, each in a savepoint of its own (so one refusal undoes only its own inserts), and one fsync
   * makes the whole group durable. Every promise settles only after that commit.
   */
  append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) return Promise.reject(new Error('append needs at least one event'));
    return new Promise((resolve, reject) => {
      this.pending.push({ streamId, events, expected, resolve, reject });
      if (this.pending.length === 1) setImmediate(this.commitPending);
    });
  }

  private readonly commitPending = (): void => {
    const group = this.pending.splice(0);
    const outcomes: Array<{ result: AppendResult } | { error: unknown }> = [];
    try {
      this.commitGroup(group, outcomes);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the group is stored.
      for (const append of group) append.reject(error);
      return;
    }
    let last = 0n;
    group.forEach((append, index) => {
      const outcome = outcomes[index]!;
      if ('error' in outcome) return append.reject(outcome.error);
      if (!outcome.result.deduplicated && outcome.result.position > last) last = outcome.result.position;
      append.resolve(outcome.result);
    });
    if (last > 0n) this.appended.emit('append', last);
  };

  /** One transaction for the whole call: all of its events are stored, or none. */
  importRecorded(events: RecordedOrStoredEvent[]): Promise<ImportResult> {
    try {
      // Events recorded together share their time: each distinct one is checked once.
      let checked: string | undefined;
      for (const event of events) {
        if (event.recordedAt === checked) continue;
        checkRecordedAt(event);
        checked = event.recordedAt;
      }
      const { recordedAt, ...result } = this.importInTransaction(events);
      if (result.imported > 0) {
        this.lastRecordedAt = recordedAt;
        this.appended.emit('append', result.position);
      }
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The checks and inserts of an import; runs inside its transaction, so the last time read is current. */
  private importEvents(events: RecordedOrStoredEvent[]): ImportResult & { recordedAt: string } {
    let recordedAt = (this.statements.lastRecordedAt.get() as string | undefined) ?? '';
    let imported = 0;
    let skipped = 0;
    let position = 0n;
    // Only ids stored before this call, or written by it, can be found stored: the others need no lookup.
    const ids = events.map((event) => event.eventId);
    const storedBefore = ids.every((id) => typeof id === 'string')
      ? new Set(this.statements.storedIdsAmong.all(JSON.stringify(ids)) as string[])
      : undefined;
    const written = new Set<string>();
    /** each stream's last revision (null: none), as found before this call or written by it */
    const heads = new Map<string, bigint | null>();
    for (const event of events) {
      const mayBeStored =
        storedBefore === undefined || storedBefore.has(event.eventId) || written.has(event.eventId);
      const row = mayBeStored
        ? (this.statements.byEventId.get(event.eventId) as EventRow | undefined)
        : undefined;
      if (row) {
        const stored = toRecorded(row);
        const field = recordedEventDifference(stored, event);
        if (field !== undefined) throw conflictingEvent(stored, event, field);
        if (imported > 0) {
          throw new ImportRefusedError(
            'stored-out-of-order',
            event.eventId,
            `stored already at position ${row.position}, before events this import writes`,
          );
        }
        skipped += 1;
        position = row.position;
        continue;
      }
      let last = heads.get(event.streamId);
      if (last === undefined) {
        last = (this.statements.streamRevision.get(event.streamId) as bigint | undefined) ?? null;
      }
      const head = last ?? -1n;
      if (event.revision !== head + 1n) {
        throw event.revision <= head
          ? new ImportRefusedError(
              'conflicting-event',
              event.eventId,
              `revision ${event.revision} of ${event.streamId} holds another event`,
            )
          : new ImportRefusedError(
              'revision-gap',
              event.eventId,
              `revision ${event.revision} of ${event.streamId} does not follow its last stored revision (${last === null ? 'none' : head})`,
            );
      }
      // Stored recorded time never runs backwards in position order: "known at time T" stays a clean cut.
      if (event.recordedAt < recordedAt) {
        throw new ImportRefusedError(
          'recorded-time-backwards',
          event.eventId,
          `recorded time ${event.recordedAt} is earlier than ${recordedAt}, the last one stored`,
        );
      }
      const [data, metadata] = canonicalContent(event);
      const info = this.statements.importInsert.run(
        event.eventId,
        event.streamId,
        event.revision,
        event.type,
        event.schemaVersion,
        event.recordedAt,
        event.effectiveAt,
        data,
        metadata,
      );
      position = BigInt(info.lastInsertRowid);
      recordedAt = event.recordedAt;
      imported += 1;
      heads.set(event.streamId, event.revision);
      written.add(event.eventId);
    }
    return { imported, skipped, position, recordedAt };
  }

  async readStream(streamId: string, fromRevision = 0n): Promise<RecordedEvent[]> {
    return (this.statements.readStream.all(streamId, fromRevision) as EventRow[]).map(toRecorded);
  }

  async readAll({ fromPosition = 0n, limit = 1000 }: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return (this.statements.readAll.all(fromPosition, limit) as StoredRow[]).map(recordedEventOfRow);
  }

  /** `readAll` without parsing data and metadata: what a verification or a digest walks. */
  async readAllStored({ fromPosition = 0n, limit = 1000 }: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return (this.statements.readAll.all(fromPosition, limit) as StoredRow[]).map(storedEventOfRow);
  }

  async headPosition(): Promise<bigint> {
    return this.statements.head.get() as bigint;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return pollingSubscription(
      {
        appended: this.appended,
        readAll: (read) => this.readAll(read),
        idlePauseMs: () => POLL_INTERVAL_MS,
        retryPauseMs: RETRY_PAUSE_MS,
        // the file is local: an append proves it works again
        appendEndsRetryPause: true,
      },
      options,
    );
  }

  async close(): Promise<void> {
    this.appended.removeAllListeners();
    this.onClose?.();
  }
}
