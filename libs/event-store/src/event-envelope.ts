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
   * log by time, and the log digest, clamp it to the running maximum in position order.
   */
  recordedAt: string;
}

/**
 * An event as a store holds it, not parsed: the envelope, with data and metadata as their stored text. For
 * walks that hash and check the whole log (verification, digests), where parsing costs more than hashing:
 * text that is canonical, as the stores write it, is hashed as it is (`storedEventHash`).
 */
export interface StoredEvent extends Omit<RecordedEvent, 'data' | 'metadata'> {
  /** canonical JSON when this ledger's stores wrote it; an older version's or an altered row may differ */
  dataText: string;
  metadataText: string;
}

/** What a walk over a store's log may be handed: parsed events, or events as stored. */
export type RecordedOrStoredEvent = RecordedEvent | StoredEvent;

/** Whether the event came as stored (its data and metadata text unparsed). */
export const isStoredEvent = (event: RecordedOrStoredEvent): event is StoredEvent => 'metadataText' in event;

/**
 * The stored event parsed, as the store's `readAll` would have handed it out; the evidence it carries
 * (`sequence`, `digest`), when it does, is kept.
 */
export function parseStoredEvent(stored: StoredLogEntry): LogEntry {
  const { dataText, metadataText, ...envelope } = stored;
  return { ...envelope, data: JSON.parse(dataText), metadata: JSON.parse(metadataText) };
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

/**
 * What a line of the log (an NDJSON export, GET /audit/log) carries besides the envelope: the event's place
 * in the ledger's own dense order, and the log digest (version 2) through it. Both survive a move to
 * another store, whose positions differ; an auditor recomputes them from the log and compares.
 */
export interface LogEvidence {
  /** 1, 2, 3, ...: the event's ordinal in the global order */
  sequence: bigint;
  /** the running log digest (version 2) through this event */
  digest: string;
}

/** An event as a log line gives it back: the envelope, with the evidence when the exporter wrote it. */
export type LogEntry = RecordedEvent & Partial<LogEvidence>;

/** A log entry as stored, not parsed (`StoredEvent`), with the evidence when one was recorded. */
export type StoredLogEntry = StoredEvent & Partial<LogEvidence>;

/** The JSON form of a log line: the envelope, then `sequence` (decimal string) and `digest`. */
export const logEntryToJson = (event: RecordedEvent, evidence: LogEvidence) => ({
  ...envelopeToJson(event),
  sequence: evidence.sequence.toString(),
  digest: evidence.digest,
});

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Reads back an envelope in the JSON form of `envelopeToJson` or `logEntryToJson` (one line of an NDJSON
 * export). Throws on a missing or malformed field, so a truncated or hand-edited line is reported, not
 * half-read; `sequence` and `digest` are optional, as exports written before them have neither.
 */
export function envelopeFromJson(json: unknown): LogEntry {
  const value = json as Record<string, unknown>;
  const text = (name: string): string => {
    const member = value?.[name];
    if (typeof member !== 'string') throw new TypeError(`event field "${name}" is missing or not a string`);
    return member;
  };
  const decimal = (name: string): bigint => {
    const member = text(name);
    if (!DECIMAL.test(member)) throw new TypeError(`event field "${name}" is not a decimal integer`);
    return BigInt(member);
  };
  if (typeof value?.schemaVersion !== 'number') throw new TypeError('event field "schemaVersion" is missing');
  if (typeof value.metadata !== 'object' || value.metadata === null)
    throw new TypeError('event field "metadata" is missing');
  if (!('data' in value)) throw new TypeError('event field "data" is missing');
  const event: LogEntry = {
    eventId: text('eventId'),
    type: text('type'),
    schemaVersion: value.schemaVersion,
    streamId: text('streamId'),
    revision: decimal('revision'),
    position: decimal('position'),
    recordedAt: text('recordedAt'),
    effectiveAt: text('effectiveAt'),
    data: value.data,
    metadata: value.metadata as EventMetadata,
  };
  if (value.sequence !== undefined) event.sequence = decimal('sequence');
  if (value.digest !== undefined) {
    if (!HEX64.test(text('digest')))
      throw new TypeError('event field "digest" is not 64 lowercase hex digits');
    event.digest = text('digest');
  }
  return event;
}
