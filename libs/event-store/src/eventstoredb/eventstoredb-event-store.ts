/**
 * The EventStoreDB (KurrentDB) adapter: the EventStore port on `@eventstore/db-client`. This file holds the
 * port's operations; `eventstoredb-connection.ts` the link to the server (leader, features, bounded reads),
 * `eventstoredb-subscription.ts` the catch-up subscription, `eventstoredb-mapping.ts` what records,
 * positions and errors mean.
 *
 * Appends carry an explicit expected revision and go in one round trip: the server checks the revision and
 * recognises a retry by its event ids following that revision, durably (from its index), answering it like
 * the first write. Only `'any'` reads the stream's head first, because the server's own check for `any`
 * remembers recent ids only. Event ids are unique across the log by construction (`deterministicEventId`
 * includes the stream id); EventStoreDB itself compares ids within a stream only.
 *
 * Appends and stream reads (which feed decisions) require the leader: a follower refuses them naming the
 * leader, and they run again on a client connected to it. Every read is bounded in time.
 */
import {
  BACKWARDS,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type Position,
} from '@eventstore/db-client';
import {
  type EventToAppend,
  isStoredEvent,
  parseStoredEvent,
  type RecordedEvent,
  type RecordedOrStoredEvent,
} from '../event-envelope';
import {
  type AppendResult,
  DuplicateEventIdError,
  type EventStore,
  type ExpectedRevision,
  ImportRefusedError,
  type ImportResult,
  type ReadAllOptions,
  StoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { checkRecordedAt, conflictingEvent, recordedEventDifference, runsByStream } from '../recorded-import';
import { EsdbConnection } from './eventstoredb-connection';
import {
  type EsdbRecord,
  atPosition,
  isLedgerRecord,
  positionOf,
  reportedPosition,
  toEventData,
  toImportedEventData,
  toRecorded,
  toStoreError,
} from './eventstoredb-mapping';
import { EsdbSubscription } from './eventstoredb-subscription';

export interface EventStoreDbOptions {
  /** pause before the first resubscription; doubles up to `resubscribeMaxMs` (defaults 100 and 5000) */
  resubscribeMinMs?: number;
  resubscribeMaxMs?: number;
  /** how often the server sends a checkpoint, in multiples of its search window (default 1, i.e. 32 events) */
  checkpointIntervalMultiplier?: number;
  /**
   * The longest the adapter waits for the server's next message in a read, or in a subscription's
   * catch-up, before it cancels the call as stalled (StoreUnavailableError; default 5000). Client 6.2.1 sets
   * no deadline on these calls.
   */
  readTimeoutMs?: number;
}

const DEFAULT_READ_TIMEOUT_MS = 5000;
/** How often an `any` append reads the head again after the head moved under it. */
const ANY_ATTEMPTS = 5;
/** How far back from the end of `$all` a subscription looks for the last ledger event to catch up to. */
const CATCH_UP_LOOKBACK = 64;

const actualRevisionOf = (error: WrongExpectedVersionError): bigint | 'no-stream' =>
  typeof error.actualVersion === 'bigint' ? error.actualVersion : 'no-stream';

/**
 * The stored events that follow the expected revision carry this append's ids: it happened already. The
 * first id there but the rest different: the ids belong to another append.
 */
function replayOf(streamId: string, events: EventToAppend[], stored: EsdbRecord[]): AppendResult | undefined {
  if (stored.length === 0 || stored[0]!.id !== events[0]!.eventId) return undefined;
  const same = stored.length >= events.length && events.every((event, i) => stored[i]!.id === event.eventId);
  if (!same) throw new DuplicateEventIdError(events[0]!.eventId);
  const last = stored[events.length - 1]!;
  return {
    streamId,
    revision: last.revision,
    position: positionOf(last),
    eventIds: events.map((event) => event.eventId),
    deduplicated: true,
  };
}

/**
 * EventStore on an EventStoreDB / KurrentDB server or cluster (`esdb://host:2113?tls=false`). Read models,
 * checkpoints and idempotency records stay elsewhere.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly connection: EsdbConnection;
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    connectionString: string,
    private readonly options: EventStoreDbOptions = {},
  ) {
    this.connection = new EsdbConnection(connectionString, options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS);
  }

  /**
   * The adapter, once the server has shown it can serve the ledger: refuses (ConfigError) a server without
   * log positions on stream reads. A server that cannot be reached now is no reason to refuse to start:
   * the check runs again before the first call.
   */
  static async connect(
    connectionString: string,
    options?: EventStoreDbOptions,
  ): Promise<EventStoreDbEventStore> {
    const store = new EventStoreDbEventStore(connectionString, options);
    try {
      await store.connection.ensureSupported();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) {
        await store.close();
        throw error;
      }
    }
    return store;
  }

  async append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    return this.guard('append', streamId, () =>
      expected === 'any' ? this.appendAtHead(streamId, events) : this.appendAt(streamId, events, expected),
    );
  }

  /** One round trip: the server checks the revision and recognises a retry by its ids. */
  private async appendAt(
    streamId: string,
    events: EventToAppend[],
    expected: bigint | 'no-stream',
  ): Promise<AppendResult> {
    let written;
    try {
      written = await this.connection.onLeader((client) =>
        client.appendToStream(streamId, events.map(toEventData), {
          expectedRevision: expected === 'no-stream' ? NO_STREAM : expected,
          requiresLeader: true,
        }),
      );
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedRevisionError(streamId, expected, actualRevisionOf(error));
      }
      throw error;
    }
    if (!written.success) {
      // `throwOnAppendFailure=false` in the connection string: the client resolves a refused append instead
      // of throwing, and on BatchAppend misreports the current revision, so the stream is asked.
      throw new WrongExpectedRevisionError(streamId, expected, await this.currentRevision(streamId));
    }
    const eventIds = events.map((event) => event.eventId);
    const position = reportedPosition(written.position);
    // A first write, or (current servers) a retry answered with the original revision and position.
    if (position !== undefined) {
      return { streamId, revision: written.nextExpectedRevision, position, eventIds, deduplicated: false };
    }
    // Older servers answer a recognised retry without a position: its events follow the expected revision.
    const first = expected === 'no-stream' ? 0n : expected + 1n;
    const replay = replayOf(streamId, events, await this.readRecords(streamId, first, events.length));
    if (replay) return replay;
    throw new Error(`EventStoreDB confirmed an append to ${streamId} without a position`);
  }

  /**
   * `any`: the head read now is the expected revision. A retry whose ids are the head already is answered
   * from them; the server would recognise it only while its cache of recent ids still holds them.
   */
  private async appendAtHead(streamId: string, events: EventToAppend[]): Promise<AppendResult> {
    for (let attempt = 1; ; attempt += 1) {
      const tail = (await this.readRecords(streamId, 'tail', events.length)).reverse();
      const replay = replayOf(streamId, events, tail);
      if (replay) return replay;
      const head = tail.length === 0 ? 'no-stream' : tail[tail.length - 1]!.revision;
      try {
        return await this.appendAt(streamId, events, head);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        // The head moved between the read and the append: read it again.
        if (attempt >= ANY_ATTEMPTS) throw new WrongExpectedRevisionError(streamId, 'any', error.actual);
      }
    }
  }

  /**
   * One append per run of a stream's consecutive events, each awaited before the next, so that `$all`
   * holds them in the given order; each expects the revision its first event follows. The recorded time
   * goes into the metadata envelope (`toImportedEventData`). The server answers an append whose ids follow
   * that revision already as a retry, writing nothing, and refuses one whose stream ends elsewhere: then
   * what the stream holds is compared with what was given, the same skipped, anything else refused.
   */
  async importRecorded(given: RecordedOrStoredEvent[]): Promise<ImportResult> {
    // Written as EventStoreDB event data (JSON bytes) either way: events as stored are parsed first.
    const events = given.map((event) => (isStoredEvent(event) ? parseStoredEvent(event) : event));
    for (const event of events) checkRecordedAt(event);
    return this.guard('import', undefined, async () => {
      const result: ImportResult = { imported: 0, skipped: 0, position: 0n };
      if (events.length === 0) return result;
      // An append answered with a position at or before the head seen now wrote nothing: it was a retry.
      const before = await this.latestLedgerPosition();
      for (const run of runsByStream(events)) await this.importRun(run, before, result);
      return result;
    });
  }

  private async importRun(run: RecordedEvent[], before: bigint, result: ImportResult): Promise<void> {
    const { streamId, revision: first } = run[0]!;
    let position: bigint | undefined;
    try {
      const written = await this.connection.onLeader((client) =>
        client.appendToStream(streamId, run.map(toImportedEventData), {
          expectedRevision: first === 0n ? NO_STREAM : first - 1n,
          requiresLeader: true,
        }),
      );
      if (written.success) position = reportedPosition(written.position);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    if (position !== undefined && position > before) {
      result.imported += run.length;
      result.position = position;
      return;
    }
    await this.importRunAgainstStored(run, before, result);
  }

  /** The append wrote nothing: the stream holds events from the run's first revision on, or ends before it. */
  private async importRunAgainstStored(
    run: RecordedEvent[],
    before: bigint,
    result: ImportResult,
  ): Promise<void> {
    const { streamId, revision: first } = run[0]!;
    const stored = (await this.readRecords(streamId, first, run.length)).map(toRecorded);
    let matched = 0;
    for (const event of stored) {
      const given = run[matched]!;
      const field = recordedEventDifference(event, given);
      if (field === 'eventId') {
        throw new ImportRefusedError(
          'conflicting-event',
          given.eventId,
          `revision ${given.revision} of ${streamId} holds another event`,
        );
      }
      if (field !== undefined) throw conflictingEvent(event, given, field);
      if (result.imported > 0) {
        throw new ImportRefusedError(
          'stored-out-of-order',
          given.eventId,
          `stored already at position ${event.position}, before events this import writes`,
        );
      }
      matched += 1;
      result.skipped += 1;
      result.position = event.position;
    }
    if (matched === run.length) return;
    if (matched === 0) {
      const head = await this.currentRevision(streamId);
      throw new ImportRefusedError(
        'revision-gap',
        run[0]!.eventId,
        `revision ${first} of ${streamId} does not follow its last stored revision (${head === 'no-stream' ? 'none' : head})`,
      );
    }
    // An earlier import stopped within this run: the rest follows what it stored.
    await this.importRun(run.slice(matched), before, result);
  }

  async readStream(streamId: string, fromRevision = 0n): Promise<RecordedEvent[]> {
    return this.guard('readStream', streamId, async () =>
      (await this.readRecords(streamId, fromRevision)).map(toRecorded),
    );
  }

  async readAll({ fromPosition = 0n, limit = 1000 }: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.guard('readAll', undefined, async () => {
      const found: RecordedEvent[] = [];
      // Reading $all from a position includes the event there; the port's position is exclusive.
      let after: bigint | undefined = fromPosition === 0n ? undefined : fromPosition;
      let cursor: Position | typeof START = after === undefined ? START : atPosition(after);
      // System events (and legacy id claims) share the log, so a page holds fewer ledger events than it reads.
      const pageSize = Math.min(Math.max(limit * 2 + 1, 64), 4096);
      while (found.length < limit) {
        const page = await this.readAllPage(cursor, pageSize, FORWARDS);
        for (const record of page) {
          const position = positionOf(record);
          if (after !== undefined && position <= after) continue;
          after = position;
          if (!isLedgerRecord(record)) continue;
          found.push(toRecorded(record));
          if (found.length === limit) break;
        }
        const last = page[page.length - 1];
        if (page.length < pageSize || !last?.position) break;
        cursor = last.position;
      }
      return found;
    });
  }

  async headPosition(): Promise<bigint> {
    return this.guard('headPosition', undefined, () => this.latestLedgerPosition());
  }

  /** The latest ledger event's position: $all read backwards, past any system events after it. */
  private async latestLedgerPosition(): Promise<bigint> {
    let cursor: Position | 'end' = 'end';
    const pageSize = 64;
    for (;;) {
      const page = await this.readAllPage(cursor, pageSize, BACKWARDS);
      const latest = page.find(isLedgerRecord);
      if (latest) return positionOf(latest);
      const oldest = page[page.length - 1];
      if (page.length < pageSize || !oldest?.position) return 0n;
      cursor = oldest.position;
    }
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const subscription = new EsdbSubscription(this.connection, options, {
      minPauseMs: this.options.resubscribeMinMs ?? 100,
      maxPauseMs: this.options.resubscribeMaxMs ?? 5000,
      checkpointIntervalMultiplier: this.options.checkpointIntervalMultiplier ?? 1,
      readTimeoutMs: this.connection.readTimeoutMs,
      catchUpTarget: () => this.catchUpTarget(),
      mapError: (error) => toStoreError('subscription', error),
    });
    const handle: Subscription = {
      stop: async () => {
        this.subscriptions.delete(handle);
        await subscription.stop();
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.connection.close();
  }

  /**
   * Where a subscription starting now has caught up: the latest ledger event among the last few records
   * of the log, or else the last record (the server then ends the catch-up with the checkpoint it sends on
   * going live). A bounded read, unlike `headPosition`, which may page through many system events.
   */
  private catchUpTarget(): Promise<bigint> {
    return this.guard('subscription', undefined, async () => {
      const page = await this.readAllPage('end', CATCH_UP_LOOKBACK, BACKWARDS);
      const latest = page.find(isLedgerRecord) ?? page[0];
      return latest ? positionOf(latest) : 0n;
    });
  }

  private async readAllPage(
    from: Position | typeof START | 'end',
    maxCount: number,
    direction: typeof FORWARDS | typeof BACKWARDS,
  ): Promise<EsdbRecord[]> {
    const read = this.connection.client.readAll({ fromPosition: from, maxCount, direction });
    const resolved = await this.connection.collect(read, 'read of $all');
    return resolved.flatMap((entry) => (entry.event ? [entry.event] : []));
  }

  /** A stream's events from a revision, or its `tail` backwards; a missing stream is empty. On the leader. */
  private async readRecords(
    streamId: string,
    from: bigint | 'tail',
    maxCount?: number,
  ): Promise<EsdbRecord[]> {
    try {
      const resolved = await this.connection.onLeader((client) =>
        this.connection.collect(
          client.readStream(streamId, {
            fromRevision: from === 'tail' ? 'end' : from === 0n ? START : from,
            direction: from === 'tail' ? BACKWARDS : FORWARDS,
            requiresLeader: true,
            ...(maxCount === undefined ? {} : { maxCount }),
          }),
          `read of ${streamId}`,
        ),
      );
      return resolved.flatMap((entry) => (entry.event ? [entry.event] : []));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  private async currentRevision(streamId: string): Promise<bigint | 'no-stream'> {
    const [head] = await this.readRecords(streamId, 'tail', 1);
    return head === undefined ? 'no-stream' : head.revision;
  }

  /** Checks the server once, runs the operation, and maps the client's errors to the port's. */
  private async guard<T>(
    operation: string,
    streamId: string | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      await this.connection.ensureSupported();
      return await work();
    } catch (error) {
      throw toStoreError(operation, error, streamId);
    }
  }
}
