/**
 * What EventStoreDB events and errors mean to the ledger: records ↔ envelopes, positions, and the client's
 * errors ↔ the port's errors. No I/O here.
 *
 * Positions. EventStoreDB orders `$all` by a pair (commit, prepare) of 64-bit log offsets. For events
 * written by this adapter (gRPC appends are implicit transactions) every event has its own log record and
 * the server reports `commit == prepare` (EventStoreDB 22.10 and later also report it on stream reads).
 * The port's single `position` is therefore the commit position, a bigint; it maps back to
 * `{ commit: p, prepare: p }` for reads and subscriptions. Positions are byte offsets: strictly increasing
 * along the log, comparable across both stores' APIs, but not dense (lag is measured in bytes, not events).
 *
 * Recorded time. An event's `recordedAt` is the server's `created`, which no client can set. An event
 * imported from another store (`importRecorded`, a ledger moved here) keeps the time the ledger first
 * recorded it in the adapter's own metadata envelope (`ledger.recordedAt`), and that is read back as its
 * `recordedAt`: the history of when the ledger learned a fact moves with the ledger.
 */
import {
  AccessDeniedError,
  MaxAppendSizeExceededError,
  convertToCommandError,
  NotLeaderError,
  StreamDeletedError as ClientStreamDeletedError,
  jsonEvent,
  type JSONType,
  type Position,
} from '@eventstore/db-client';
import type { EventMetadata, EventToAppend, RecordedEvent } from '../event-envelope';
import {
  AppendTooLargeError,
  StoreAccessDeniedError,
  StoreUnavailableError,
  StreamDeletedError,
} from '../event-store.port';
import { ConfigError } from '../store-config';

/** What the adapter puts into each EventStoreDB event's metadata JSON besides the `$` conventions. */
interface StoredMetadata {
  $correlationId?: string;
  $causationId?: string;
  ledger?: {
    schemaVersion: number;
    effectiveAt: string;
    metadata: EventMetadata;
    /** only on imported events: when the ledger first recorded the event, in the store it came from */
    recordedAt?: string;
  };
}

/** A written or read EventStoreDB event, as much of it as the adapter needs. */
export interface EsdbRecord {
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

/**
 * Earlier versions of this adapter claimed every event id in a one-event stream `ledgerEventId-<id>`
 * (event type `LedgerEventIdClaimed`). None is written any more, but logs written then still hold them.
 */
const LEGACY_CLAIM_CATEGORY = 'ledgerEventId';
const LEGACY_CLAIM_EVENT_TYPE = 'LedgerEventIdClaimed';

/** Server-side filter on event types: no system events (`$...`) and no legacy id claims. */
export const LEDGER_EVENT_TYPES = `^(?!\\$|${LEGACY_CLAIM_EVENT_TYPE}$)`;

/** EventStoreDB sends -1 (as an unsigned 64-bit number) where it has no position. */
const NO_POSITION = 1n << 63n;

export const isLedgerRecord = (record: EsdbRecord): boolean =>
  !record.type.startsWith('$') &&
  !record.streamId.startsWith('$') &&
  record.type !== LEGACY_CLAIM_EVENT_TYPE &&
  !record.streamId.startsWith(`${LEGACY_CLAIM_CATEGORY}-`);

/** Later in `$all` order: by commit position, then by prepare position. */
export function isLater(a: Position, b: Position): boolean {
  return a.commit !== b.commit ? a.commit > b.commit : a.prepare > b.prepare;
}

export const atPosition = (position: bigint): Position => ({ commit: position, prepare: position });

/** The commit position an append answer carries, or undefined for "no position" (absent, or -1). */
export function reportedPosition(position: Position | undefined): bigint | undefined {
  return position === undefined || position.commit >= NO_POSITION ? undefined : position.commit;
}

export function positionOf(record: EsdbRecord): bigint {
  const position = reportedPosition(record.position);
  if (position === undefined) {
    throw new Error(
      `EventStoreDB returned no log position for ${record.streamId}@${record.revision}; the ledger needs EventStoreDB 22.10 or later`,
    );
  }
  return position;
}

/**
 * The envelope of a stored event. `recordedAt` is the server's `created` as is (the server's wall clock,
 * which may step back along the log: a clock adjustment, a new leader; readers that cut the log by time
 * clamp it themselves), or for an imported event the recorded time it brought along.
 */
export function toRecorded(record: EsdbRecord): RecordedEvent {
  const stored = (record.metadata ?? {}) as StoredMetadata;
  const recordedAt = stored.ledger?.recordedAt ?? record.created.toISOString();
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

/**
 * An event as EventStoreDB stores it, the ledger's envelope in its metadata. `recordedAt` is given for an
 * imported event only: the server sets its own `created`, so the time the event was first recorded, in the
 * store it came from, is kept in the envelope.
 */
function toJsonEvent(event: EventToAppend, recordedAt?: string) {
  return jsonEvent({
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
        ...(recordedAt === undefined ? {} : { recordedAt }),
      },
    } satisfies StoredMetadata,
  });
}

export const toEventData = (event: EventToAppend) => toJsonEvent(event);

/** An event recorded by another store, as written here: its recorded time kept in the envelope. */
export const toImportedEventData = (event: RecordedEvent) => toJsonEvent(event, event.recordedAt);

/** The leader a follower named when it refused a call that requires the leader. */
export function leaderNamedBy(error: unknown): { address: string; port: number } | undefined {
  return error instanceof NotLeaderError ? error.leader : undefined;
}

/** Transport failures (node down, leader change, deadline, cancelled call): the caller may retry. */
function isTransportError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return ['unavailable', 'deadline-exceeded', 'cancelled', 'timeout', 'not-leader'].includes(String(type));
}

/**
 * The port's error for a client error: transport failures become StoreUnavailableError (retry as it was);
 * a deleted stream, a refused access and an oversized append get their own classes; anything else (the
 * port's own errors among them) passes as it is.
 */
export function toStoreError(operation: string, raw: unknown, streamId?: string): unknown {
  // A few client paths (ServerFeatures) reject with the bare gRPC error; the client's own class says more.
  const error = raw instanceof Error ? convertToCommandError(raw) : raw;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ClientStreamDeletedError) {
    return new StreamDeletedError(streamId ?? error.streamName ?? '(unknown)', { cause: error });
  }
  if (error instanceof AccessDeniedError) {
    return new StoreAccessDeniedError(
      `EventStoreDB refused the ledger's ${operation}: access denied (check the connection's user and the stream ACLs)`,
      { cause: error },
    );
  }
  if (error instanceof MaxAppendSizeExceededError) {
    const limit = Number.isFinite(error.maxAppendSize) ? error.maxAppendSize : undefined;
    return new AppendTooLargeError(streamId ?? '(unknown)', limit, { cause: error });
  }
  if (isTransportError(error)) {
    return new StoreUnavailableError(`EventStoreDB ${operation} failed: ${message}`, { cause: error });
  }
  return error;
}

/**
 * Errors that no retry will cure: the subscription gives up on them (and says why) instead of retrying
 * forever. Everything else, unknown errors included, is worth another try after a pause.
 */
export function isPermanent(error: unknown): boolean {
  return (
    error instanceof StoreAccessDeniedError ||
    error instanceof StreamDeletedError ||
    error instanceof ConfigError
  );
}
