/**
 * The EventStoreDB (KurrentDB) adapter: the only file that imports `@eventstore/db-client`.
 *
 * Positions. EventStoreDB orders `$all` by a pair (commit, prepare) of 64-bit log offsets. For events
 * written by this adapter (gRPC appends are implicit transactions) every event has its own log record and
 * the server reports `commit == prepare` (EventStoreDB 22.10 and later also report it on stream reads).
 * The port's single `position` is therefore the commit position, a bigint; it maps back to
 * `{ commit: p, prepare: p }` for reads and subscriptions. Positions are byte offsets: strictly increasing
 * along the log, comparable across both stores' APIs, but not dense (lag is measured in bytes, not events).
 *
 * Appends always carry an explicit expected revision (`NO_STREAM` or the revision); `'any'` is turned into
 * one by reading the stream's head first, because the server deduplicates event ids durably only when the
 * expected revision is explicit. Event ids must be unique across the whole log (the port's contract);
 * EventStoreDB only knows streams, so each event id is first claimed in a one-event stream
 * `ledgerEventId-<id>` (created with `NO_STREAM`; a claim by another stream fails). Claim events are
 * filtered out of every read, like system events.
 */
import {
  BACKWARDS,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type JSONType,
  type Position,
} from '@eventstore/db-client';
import { v5 as uuidv5 } from 'uuid';
import type { EventMetadata, EventToAppend, RecordedEvent } from '../event-envelope';
import {
  type AppendResult,
  DuplicateEventIdError,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  StoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';

/** What the adapter puts into each EventStoreDB event's metadata JSON besides the `$` conventions. */
interface StoredMetadata {
  $correlationId?: string;
  $causationId?: string;
  ledger?: { schemaVersion: number; effectiveAt: string; metadata: EventMetadata };
}

/** A written or read EventStoreDB event, as much of it as the adapter needs. */
interface EsdbRecord {
  id: string;
  streamId: string;
  type: string;
  revision: bigint;
  created: Date;
  data: unknown;
  metadata?: unknown;
  isJson: boolean;
  position?: Position;
}

export interface EventStoreDbOptions {
  /** pause before the first resubscription; doubles up to `resubscribeMaxMs` (defaults 100 and 5000) */
  resubscribeMinMs?: number;
  resubscribeMaxMs?: number;
  /** how often the server sends a checkpoint, in multiples of its search window (default 1, i.e. 32 events) */
  checkpointIntervalMultiplier?: number;
}

/** Category of the streams that claim an event id for one ledger stream (no dash: `ledgerEventId-<id>`). */
export const EVENT_ID_CLAIM_CATEGORY = 'ledgerEventId';
const CLAIM_EVENT_TYPE = 'LedgerEventIdClaimed';
const CLAIM_NAMESPACE = 'a4d3f0c2-6b1e-4e57-9c2a-7d1f5e8b3a90';
/** Server-side filter on event types: no system events (`$...`) and no id claims. */
const LEDGER_EVENT_TYPES = `^(?!\\$|${CLAIM_EVENT_TYPE}$)`;
const HANDLER_RETRY_MS = 500;
/** EventStoreDB sends -1 (as an unsigned 64-bit number) where it has no position. */
const NO_POSITION = 1n << 63n;

const claimStreamOf = (eventId: string) => `${EVENT_ID_CLAIM_CATEGORY}-${eventId}`;

/** `kurrentdb://` (the server's new name) is the same protocol; the 6.x client only parses `esdb://`. */
export function toClientConnectionString(connectionString: string): string {
  return connectionString.trim().replace(/^kurrent(?:db)?(\+discover)?:\/\//i, 'esdb$1://');
}

const isLedgerRecord = (record: EsdbRecord): boolean =>
  !record.type.startsWith('$') &&
  !record.streamId.startsWith('$') &&
  record.type !== CLAIM_EVENT_TYPE &&
  !record.streamId.startsWith(`${EVENT_ID_CLAIM_CATEGORY}-`);

/** Later in `$all` order: by commit position, then by prepare position. */
function isLater(a: Position, b: Position): boolean {
  return a.commit !== b.commit ? a.commit > b.commit : a.prepare > b.prepare;
}
const atPosition = (position: bigint): Position => ({ commit: position, prepare: position });

function positionOf(record: EsdbRecord): bigint {
  const position = record.position;
  if (!position || position.commit >= NO_POSITION) {
    throw new Error(
      `EventStoreDB returned no log position for ${record.streamId}@${record.revision}; the ledger needs EventStoreDB 22.10 or later`,
    );
  }
  return position.commit;
}

function toRecorded(record: EsdbRecord): RecordedEvent {
  const stored = (record.metadata ?? {}) as StoredMetadata;
  const recordedAt = record.created.toISOString();
  const data = record.isJson ? record.data : Buffer.from(record.data as Uint8Array).toString('base64');
  return {
    eventId: record.id,
    type: record.type,
    // Events the ledger did not write (another tool on the same database) get neutral defaults.
    schemaVersion: stored.ledger?.schemaVersion ?? 1,
    effectiveAt: stored.ledger?.effectiveAt ?? recordedAt,
    data,
    metadata: stored.ledger?.metadata ?? (record.metadata as EventMetadata),
    streamId: record.streamId,
    revision: record.revision,
    position: positionOf(record),
    recordedAt,
  };
}

const toEventData = (event: EventToAppend) =>
  jsonEvent({
    id: event.eventId,
    type: event.type,
    data: event.data as JSONType,
    metadata: {
      $correlationId: event.metadata.correlationId,
      $causationId: event.metadata.causationId,
      ledger: {
        schemaVersion: event.schemaVersion,
        effectiveAt: event.effectiveAt,
        metadata: event.metadata,
      },
    } satisfies StoredMetadata,
  });

/** Transport failures (node down, leader change, deadline, cancelled call): the caller may retry. */
function isTransportError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return ['unavailable', 'deadline-exceeded', 'cancelled', 'timeout', 'not-leader'].includes(String(type));
}

/**
 * EventStore on an EventStoreDB / KurrentDB server or cluster (`esdb://host:2113?tls=false`). Read models,
 * checkpoints and idempotency records stay elsewhere (the embedded SQLite file).
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    connectionString: string,
    private readonly options: EventStoreDbOptions = {},
  ) {
    this.client = EventStoreDBClient.connectionString(toClientConnectionString(connectionString));
  }

  async append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    return this.guard('append', async () => {
      for (let attempt = 1; ; attempt += 1) {
        // A retry of an append that already happened returns the first result without writing.
        let target: bigint | 'no-stream';
        if (expected === 'any') {
          const tail = (await this.readRecords(streamId, 'tail', events.length)).reverse();
          const replay = this.replayOf(streamId, events, tail);
          if (replay) return replay;
          target = tail.length === 0 ? 'no-stream' : tail[tail.length - 1]!.revision;
        } else {
          target = expected;
          const next = expected === 'no-stream' ? 0n : expected + 1n;
          const replay = this.replayOf(
            streamId,
            events,
            await this.readRecords(streamId, next, events.length),
          );
          if (replay) return replay;
        }

        await this.claimEventIds(streamId, events);
        try {
          const written = await this.client.appendToStream(streamId, events.map(toEventData), {
            expectedRevision: target === 'no-stream' ? NO_STREAM : target,
          });
          const position = written.position?.commit;
          if (position !== undefined && position < NO_POSITION) {
            return {
              streamId,
              revision: written.nextExpectedRevision,
              position,
              eventIds: events.map((event) => event.eventId),
              deduplicated: false,
            };
          }
          // No position: the server recognised the ids as already written (a concurrent retry won).
          const first = written.nextExpectedRevision - BigInt(events.length - 1);
          const replay = this.replayOf(
            streamId,
            events,
            await this.readRecords(streamId, first, events.length),
          );
          if (replay) return replay;
          throw new Error(`EventStoreDB confirmed an append to ${streamId} without a position`);
        } catch (error) {
          if (!(error instanceof WrongExpectedVersionError)) throw error;
          // `any` asked for no check: the head moved between our read and the append, so try again.
          if (expected === 'any' && attempt < 5) continue;
          const actual = typeof error.actualVersion === 'bigint' ? error.actualVersion : 'no-stream';
          throw new WrongExpectedRevisionError(streamId, expected, actual);
        }
      }
    });
  }

  async readStream(streamId: string, fromRevision = 0n): Promise<RecordedEvent[]> {
    return this.guard('readStream', async () =>
      (await this.readRecords(streamId, fromRevision)).map(toRecorded),
    );
  }

  async readAll({ fromPosition = 0n, limit = 1000 }: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.guard('readAll', async () => {
      const found: RecordedEvent[] = [];
      // Reading $all from a position includes the event there; the port's position is exclusive.
      let after: bigint | undefined = fromPosition === 0n ? undefined : fromPosition;
      let cursor: Position | typeof START = after === undefined ? START : atPosition(after);
      // Claims and system events share the log, so a page holds fewer ledger events than it reads.
      const pageSize = Math.min(Math.max(limit * 2 + 1, 64), 4096);
      while (found.length < limit) {
        const page: EsdbRecord[] = [];
        for await (const resolved of this.client.readAll({
          fromPosition: cursor,
          maxCount: pageSize,
          direction: FORWARDS,
        })) {
          if (resolved.event) page.push(resolved.event);
        }
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
    return this.guard('headPosition', async () => {
      // The latest ledger event: read $all backwards, past any system events and claims after it.
      let cursor: Position | 'end' = 'end';
      const pageSize = 64;
      for (;;) {
        const page: EsdbRecord[] = [];
        for await (const resolved of this.client.readAll({
          fromPosition: cursor,
          maxCount: pageSize,
          direction: BACKWARDS,
        })) {
          if (resolved.event) page.push(resolved.event);
        }
        const latest = page.find(isLedgerRecord);
        if (latest) return positionOf(latest);
        const oldest = page[page.length - 1];
        if (page.length < pageSize || !oldest?.position) return 0n;
        cursor = oldest.position;
      }
    });
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const subscription = new EsdbSubscription(this.client, options, {
      minPauseMs: this.options.resubscribeMinMs ?? 100,
      maxPauseMs: this.options.resubscribeMaxMs ?? 5000,
      checkpointIntervalMultiplier: this.options.checkpointIntervalMultiplier ?? 1,
      mapError: (error) => this.mapError('subscription', error),
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
    await this.client.dispose();
  }

  /** Reads a stream's events (from a revision, or its `tail` backwards); a missing stream is empty. */
  private async readRecords(
    streamId: string,
    from: bigint | 'tail',
    maxCount?: number,
  ): Promise<EsdbRecord[]> {
    const records: EsdbRecord[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, {
        fromRevision: from === 'tail' ? 'end' : from === 0n ? START : from,
        direction: from === 'tail' ? BACKWARDS : FORWARDS,
        ...(maxCount === undefined ? {} : { maxCount }),
      })) {
        if (resolved.event) records.push(resolved.event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return records;
  }

  /** The stored events that follow the expected revision are this append's ids: it happened already. */
  private replayOf(
    streamId: string,
    events: EventToAppend[],
    stored: EsdbRecord[],
  ): AppendResult | undefined {
    if (stored.length === 0 || stored[0]!.id !== events[0]!.eventId) return undefined;
    const same =
      stored.length >= events.length && events.every((event, i) => stored[i]!.id === event.eventId);
    // The first id is there but the rest differ: the ids belong to another append.
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
   * Claims every event id for `streamId` before the append, so that no id is used by two streams. A claim
   * is idempotent for the same stream (its own event id is derived from both ids), so a retry passes; it
   * fails for any other stream. A claim whose append then failed stays with that stream, which is harmless:
   * ids are either random or derived from one command on one stream.
   */
  private async claimEventIds(streamId: string, events: EventToAppend[]): Promise<void> {
    await Promise.all(
      events.map(async (event) => {
        try {
          await this.client.appendToStream(
            claimStreamOf(event.eventId),
            jsonEvent({
              id: uuidv5(JSON.stringify([streamId, event.eventId]), CLAIM_NAMESPACE),
              type: CLAIM_EVENT_TYPE,
              data: { eventId: event.eventId, streamId },
            }),
            { expectedRevision: NO_STREAM },
          );
        } catch (error) {
          if (error instanceof WrongExpectedVersionError) throw new DuplicateEventIdError(event.eventId);
          throw error;
        }
      }),
    );
  }

  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.mapError(operation, error);
    }
  }

  private mapError(operation: string, error: unknown): unknown {
    if (isTransportError(error)) {
      const message = error instanceof Error ? error.message : String(error);
      return new StoreUnavailableError(`EventStoreDB ${operation} failed: ${message}`, { cause: error });
    }
    return error;
  }
}

interface SubscriptionSettings {
  minPauseMs: number;
  maxPauseMs: number;
  checkpointIntervalMultiplier: number;
  mapError(error: unknown): unknown;
}

/**
 * A catch-up subscription to `$all` that survives the server: it resubscribes with backoff after the
 * stream fails (CancelledError, UnavailableError, ...) or ends, always strictly after the last event
 * handled, or after the last checkpoint the server sent once every event before it was handled.
 */
class EsdbSubscription {
  private running = true;
  /** exclusive resume point; undefined: from the start of the log */
  private resumeAfter: Position | undefined;
  private lastDelivered: bigint;
  private current: AllStreamSubscription | undefined;
  /** wakes the loop waiting for events from the server */
  private wakeFollow: (() => void) | undefined;
  /** ends a pause (backoff or handler retry) early, on stop */
  private wakePause: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: SubscribeOptions,
    private readonly settings: SubscriptionSettings,
  ) {
    this.lastDelivered = options.fromPosition;
    this.resumeAfter = options.fromPosition === 0n ? undefined : atPosition(options.fromPosition);
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    this.wakePause?.();
    await this.current?.unsubscribe().catch(() => undefined);
    await this.done;
  }

  private poke(): void {
    const wake = this.wakeFollow;
    this.wakeFollow = undefined;
    wake?.();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (!this.running) return resolve();
      const timer = setTimeout(() => {
        this.wakePause = undefined;
        resolve();
      }, ms);
      this.wakePause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private advance(position: Position): void {
    if (!this.resumeAfter || isLater(position, this.resumeAfter)) this.resumeAfter = position;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let progressed = false;
      try {
        progressed = await this.follow();
        if (!this.running) break;
        this.options.onError?.(
          new StoreUnavailableError('EventStoreDB ended the subscription; resubscribing'),
        );
      } catch (error) {
        if (!this.running) break;
        this.options.onError?.(this.settings.mapError(error));
      }
      failures = progressed ? 1 : failures + 1;
      const pause = Math.min(this.settings.maxPauseMs, this.settings.minPauseMs * 2 ** (failures - 1));
      await this.pause(pause * (0.75 + Math.random() / 2));
    }
  }

  /** One server subscription, until it fails, ends or is stopped; true if it got anywhere. */
  private async follow(): Promise<boolean> {
    const batchSize = this.options.batchSize ?? 500;
    const queue: AllStreamResolvedEvent[] = [];
    let ended = false;
    let failure: unknown;
    let handling = false;
    let pendingCheckpoint: Position | undefined;
    let progressed = false;

    const subscription = this.client.subscribeToAll({
      ...(this.resumeAfter ? { fromPosition: this.resumeAfter } : { fromPosition: START }),
      filter: eventTypeFilter({
        regex: LEDGER_EVENT_TYPES,
        checkpointInterval: this.settings.checkpointIntervalMultiplier,
        // Every event the server sent before this checkpoint has been pushed by now; it is a safe resume
        // point once none of them waits in a buffer or in the handler.
        checkpointReached: (_subscription, position) => {
          if (queue.length > 0 || subscription.readableLength > 0) return;
          if (handling) pendingCheckpoint = position;
          else this.advance(position);
        },
      }),
    });
    this.current = subscription;
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      queue.push(resolved);
      // Bounded memory while catching up on a long log: the client's stream applies backpressure.
      if (queue.length >= batchSize * 4) subscription.pause();
      this.poke();
    });
    subscription.on('caughtUp', () => (progressed = true));
    const finish = (error?: unknown) => {
      if (error !== undefined && failure === undefined) failure = error;
      ended = true;
      this.poke();
    };
    subscription.on('error', (error) => finish(error));
    subscription.on('end', () => finish());
    subscription.on('close', () => finish());

    try {
      while (this.running) {
        if (queue.length === 0) {
          if (ended) break;
          await new Promise<void>((resolve) => (this.wakeFollow = resolve));
          continue;
        }
        const raw = queue.splice(0, batchSize);
        if (subscription.isPaused() && queue.length < batchSize) subscription.resume();
        const batch: RecordedEvent[] = [];
        let lastSeen: Position | undefined;
        for (const resolved of raw) {
          const record = resolved.event;
          if (!record?.position) continue;
          lastSeen = record.position;
          const position = positionOf(record);
          // Strictly after what was handled: a resubscription may repeat the boundary event.
          if (position <= this.lastDelivered || !isLedgerRecord(record)) continue;
          batch.push(toRecorded(record));
        }
        if (batch.length > 0) {
          handling = true;
          const delivered = await this.deliver(batch);
          handling = false;
          if (!delivered) break;
          this.lastDelivered = batch[batch.length - 1]!.position;
          progressed = true;
        }
        if (lastSeen) this.advance(lastSeen);
        if (pendingCheckpoint) {
          this.advance(pendingCheckpoint);
          pendingCheckpoint = undefined;
        }
      }
    } finally {
      this.current = undefined;
      if (!ended) await subscription.unsubscribe().catch(() => undefined);
    }
    if (failure !== undefined && this.running) throw failure;
    return progressed;
  }

  /** Hands a batch to the handler, retrying it after a pause until it succeeds or the subscription stops. */
  private async deliver(batch: RecordedEvent[]): Promise<boolean> {
    for (;;) {
      try {
        await this.options.onEvents(batch);
        return true;
      } catch (error) {
        this.options.onError?.(error);
        if (!this.running) return false;
        await this.pause(HANDLER_RETRY_MS);
        if (!this.running) return false;
      }
    }
  }
}
