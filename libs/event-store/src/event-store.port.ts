import type { EventToAppend, RecordedEvent, RecordedOrStoredEvent, StoredEvent } from './event-envelope';

/**
 * What the appender expects the stream to look like: `'no-stream'` to create it, a revision (of its last
 * event) to extend exactly that version, `'any'` only for tools that truly do not care.
 */
export type ExpectedRevision = 'no-stream' | 'any' | bigint;

export interface AppendResult {
  streamId: string;
  /** revision of the last event appended */
  revision: bigint;
  /** global position of the last event appended */
  position: bigint;
  eventIds: string[];
  /**
   * true when the store saw that every event id was already in the stream: a retried append that changed
   * nothing. false when it wrote them, or when it cannot tell: EventStoreDB answers a retry with an explicit
   * revision just like the first write (same revision and position) and writes nothing either way.
   */
  deduplicated: boolean;
}

export interface ReadAllOptions {
  /** exclusive: events strictly after this position (0n, the default, means from the start) */
  fromPosition?: bigint;
  /** at most this many events */
  limit?: number;
}

/** What one `importRecorded` call did. */
export interface ImportResult {
  /** events this call wrote */
  imported: number;
  /** events the store held already, identical (an interrupted import resumed): not written again */
  skipped: number;
  /** the store's position of the call's last event, written or skipped; 0n for an empty call */
  position: bigint;
}

export interface SubscribeOptions {
  /** exclusive, like a checkpoint: the subscription delivers events strictly after it */
  fromPosition: bigint;
  /** at most this many events in one delivery */
  batchSize?: number;
  /** receives each batch in global order; the next batch waits for its promise */
  onEvents(events: RecordedEvent[]): void | Promise<void>;
  /**
   * A failure while reading or handling. With `retrying` true the subscription tries again after a pause
   * (the same batch, or a resubscription after the last one handled); with false it has given up for good
   * (the store refused it, e.g. `StoreAccessDeniedError`) and delivers nothing more: `error` says why.
   */
  onError?(error: unknown, retrying: boolean): void;
}

export interface Subscription {
  /** resolves once the subscription has stopped and no handler is running */
  stop(): Promise<void>;
}

/**
 * The event store port. Adapters: SQLite (embedded), PostgreSQL and EventStoreDB (distributed); all pass
 * the same contract suite in `testing/event-store.contract.ts`.
 */
export interface EventStore {
  /**
   * Whether appends to one stream requested back to back, each without waiting for the one before to
   * commit, are committed in the order requested, and each refused when the stream no longer ends where it
   * expects (its expected revision, and the hash link of its first event to the stream's last). The command
   * handler then pipelines a stream's commands so that they share a commit. SQLite: yes. EventStoreDB: no
   * (its server does not order concurrent calls).
   */
  readonly ordersAppendsPerStream?: boolean;
  /**
   * Whether positions are the dense numbers 1..N of the global order (SQLite, PostgreSQL), so that the
   * distance between two positions counts the events between them. EventStoreDB's are byte offsets.
   */
  readonly positionsAreDense?: boolean;
  /**
   * Appends atomically, or not at all. Throws WrongExpectedRevisionError when the stream is not at the
   * expected revision, and DuplicateEventIdError when an event id is already used by a different append.
   * Appending ids that already follow the expected revision is a no-op that returns the first result.
   * Event ids are unique across streams by construction (`deterministicEventId` includes the stream id, other
   * ids are random); the SQLite store also refuses an id another stream holds, EventStoreDB checks ids within
   * the stream only.
   */
  append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** The stream in revision order, from `fromRevision` (inclusive); empty when the stream does not exist. */
  readStream(streamId: string, fromRevision?: bigint): Promise<RecordedEvent[]>;
  /** A page of the global log in position order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * `readAll` as stored: the same events with data and metadata as the text the store holds, unparsed.
   * Offered by the stores that keep that text (SQLite, PostgreSQL), for walks that hash the whole log
   * (`readStoredLogPages`).
   */
  readAllStored?(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /**
   * Stores events recorded by another store (a ledger moving here), given in their global order, after
   * whatever this store holds. Each keeps its event id, stream, revision, type, schema version, data,
   * metadata (hence its hash chain), effective time and recorded time; the store gives it a position of
   * its own (`position` of the given events is ignored). SQLite and PostgreSQL store the recorded time
   * as given, which must not be earlier than the last one stored, and number the events densely in the
   * given order; EventStoreDB cannot set an event's `created`, so it keeps the recorded time in the
   * event's metadata and reads it back as `recordedAt`.
   *
   * An event stored already, identical in every field but its position, is skipped, so an interrupted
   * import may simply be run again; it must come before every event the call writes. Anything else is
   * refused with ImportRefusedError: an id or a stream revision holding another event, a revision that
   * does not follow its stream's last one, a recorded time out of order or malformed. SQLite and
   * PostgreSQL write a call's events all or none; EventStoreDB appends stream by stream, so a refusal or a
   * failure may leave the call's earlier events stored (running the import again resumes after them).
   *
   * Events may come parsed or as stored (`StoredEvent`, as another store's `readAllStored` hands them
   * out): the store writes canonical JSON either way, stored text as it is where it is canonical already.
   */
  importRecorded(events: RecordedOrStoredEvent[]): Promise<ImportResult>;
  /** Position of the latest event, 0n for an empty store. */
  headPosition(): Promise<bigint>;
  /** Catches up from `fromPosition`, then follows new events as they are appended. */
  subscribeToAll(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}

/** The stream moved on since it was read: another command won the race. */
export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** the stream's actual revision, or 'no-stream' */
    readonly actual: bigint | 'no-stream',
  ) {
    super(`stream ${streamId} is at revision ${String(actual)}, expected ${String(expected)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** An event id was used before by another append: an Idempotency-Key reused for something else. */
export class DuplicateEventIdError extends Error {
  constructor(readonly eventId: string) {
    super(`event id ${eventId} is already used by another append`);
    this.name = 'DuplicateEventIdError';
  }
}

/** Why an import refused an event. */
export type ImportRefusal =
  /** the event id, or the stream revision, holds a different event in the store */
  | 'conflicting-event'
  /** the revision does not follow the last one of its stream: events before it are missing */
  | 'revision-gap'
  /** the recorded time is earlier than the last one the store holds (SQLite, PostgreSQL) */
  | 'recorded-time-backwards'
  /** the recorded time is not an ISO 8601 UTC instant in milliseconds (`2026-03-01T09:00:00.000Z`) */
  | 'recorded-time-malformed'
  /** the event is stored already, but after one this import writes: the logs' orders differ */
  | 'stored-out-of-order';

/** An import met an event it cannot store as given; the message names the event and why. */
export class ImportRefusedError extends Error {
  constructor(
    readonly kind: ImportRefusal,
    readonly eventId: string,
    message: string,
  ) {
    super(`${kind}: event ${eventId}: ${message}`);
    this.name = 'ImportRefusedError';
  }
}

/** The store cannot be reached or is overloaded; the command may be retried as it was. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** The stream was deleted (tombstoned) in the store: it can be neither read nor extended again. */
export class StreamDeletedError extends Error {
  constructor(
    readonly streamId: string,
    options?: { cause?: unknown },
  ) {
    super(`stream ${streamId} has been deleted from the event store`, options);
    this.name = 'StreamDeletedError';
  }
}

/**
 * The store refused the ledger's credentials for this operation: a deployment fault (user, ACLs), not
 * something a retry or another request can fix.
 */
export class StoreAccessDeniedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreAccessDeniedError';
  }
}

/** The events of one append are larger than the store accepts in one write. */
export class AppendTooLargeError extends Error {
  constructor(
    readonly streamId: string,
    /** the store's limit in bytes, when it says */
    readonly maxAppendSize: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `the append to ${streamId} is larger than the event store accepts` +
        (maxAppendSize === undefined ? '' : ` (${maxAppendSize} bytes)`),
      options,
    );
    this.name = 'AppendTooLargeError';
  }
}
