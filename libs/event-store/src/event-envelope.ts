/** Who sent a command: the API key's name and roles, never the key itself. */
export interface Actor {
  name: string;
  roles: string[];
}

export interface EventMetadata {
  actor: Actor;
  /** the request that caused this event; shared by every event of one command */
  correlationId: string;
  /** what directly caused it: the request, or the event a process reacted to */
  causationId: string;
  /** the client's Idempotency-Key, when it sent one */
  idempotencyKey?: string;
  [extension: string]: unknown;
}

/** An event as the command handler hands it to a store. */
export interface EventToAppend {
  /** deterministic for a retried command (see `deterministicEventId`), so a retry never appends twice */
  eventId: string;
  type: string;
  schemaVersion: number;
  /** when the fact holds in the world (ISO 8601, UTC) */
  effectiveAt: string;
  data: unknown;
  metadata: EventMetadata;
}

/** An event as stored: the envelope every reader sees, whichever store holds it. */
export interface RecordedEvent extends EventToAppend {
  streamId: string;
  /** 0-based position of the event within its stream */
  revision: bigint;
  /** position in the global log: strictly increasing, 64-bit, never a JS number */
  position: bigint;
  /**
   * when the store recorded it (ISO 8601, UTC), by the store's clock. SQLite never lets it run backwards;
   * EventStoreDB reports its wall clock as is, which may step back along the log, so a reader that cuts the
   * log by time clamps it to the running maximum in position order.
   */
  recordedAt: string;
}

/** The JSON form of an envelope: 64-bit numbers as decimal strings. */
export const envelopeToJson = (event: RecordedEvent) => ({
  eventId: event.eventId,
  type: event.type,
  schemaVersion: event.schemaVersion,
  streamId: event.streamId,
  revision: event.revision.toString(),
  position: event.position.toString(),
  recordedAt: event.recordedAt,
  effectiveAt: event.effectiveAt,
  data: event.data,
  metadata: event.metadata,
});
