import { canonicalJson, isCanonicalJsonText } from './canonical-json';
import {
  isStoredEvent,
  parseStoredEvent,
  type RecordedEvent,
  type RecordedOrStoredEvent,
} from './event-envelope';
import { ImportRefusedError } from './event-store.port';

/*
 * What every adapter's `importRecorded` shares: the form of a recorded time, what "stored identically"
 * means, and the runs of one stream that a store appends in one go.
 */

/** How every store writes a recorded time: `Date.prototype.toISOString()`, UTC, milliseconds. */
const RECORDED_AT_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Refuses a recorded time in another form than the stores write. Stores and readers compare recorded times
 * as strings (`knownAt`, the digest's running maximum), which is right only for one fixed form.
 */
export function checkRecordedAt(event: RecordedOrStoredEvent): void {
  const { recordedAt } = event;
  const valid =
    typeof recordedAt === 'string' &&
    RECORDED_AT_FORM.test(recordedAt) &&
    !Number.isNaN(Date.parse(recordedAt)) &&
    new Date(recordedAt).toISOString() === recordedAt;
  if (!valid) {
    throw new ImportRefusedError(
      'recorded-time-malformed',
      event.eventId,
      `recorded time ${JSON.stringify(recordedAt)} is not an instant like 2026-03-01T09:00:00.000Z`,
    );
  }
}

/**
 * The first field in which two envelopes of one event differ, position aside (each store numbers its own);
 * undefined when they are the same event. Data and metadata are compared as canonical JSON, the bytes the
 * hash chain covers.
 */
export function recordedEventDifference(
  stored: RecordedEvent,
  given: RecordedOrStoredEvent,
): string | undefined {
  if (isStoredEvent(given)) return recordedEventDifference(stored, parseStoredEvent(given));
  if (stored.eventId !== given.eventId) return 'eventId';
  if (stored.streamId !== given.streamId) return 'streamId';
  if (stored.revision !== given.revision) return 'revision';
  if (stored.type !== given.type) return 'type';
  if (stored.schemaVersion !== given.schemaVersion) return 'schemaVersion';
  if (stored.effectiveAt !== given.effectiveAt) return 'effectiveAt';
  if (stored.recordedAt !== given.recordedAt) return 'recordedAt';
  if (canonicalJson(stored.data) !== canonicalJson(given.data)) return 'data';
  if (canonicalJson(stored.metadata) !== canonicalJson(given.metadata)) return 'metadata';
  return undefined;
}

/**
 * The text a store writes for an event's data and metadata: their canonical JSON. Stored text that is
 * canonical already (`isCanonicalJsonText`) is written as it is, anything else parsed and serialised, so
 * the bytes are those the parsed event would give.
 */
export function canonicalContent(event: RecordedOrStoredEvent): [data: string, metadata: string] {
  if (!isStoredEvent(event)) return [canonicalJson(event.data), canonicalJson(event.metadata)];
  return [canonicalTextOf(event.dataText), canonicalTextOf(event.metadataText)];
}

const canonicalTextOf = (text: string): string =>
  // A damaged SQLite row may hold a number where text belongs: JSON.parse reads it as the parsed form did.
  typeof text === 'string' && isCanonicalJsonText(text) ? text : canonicalJson(JSON.parse(text));

/** The refusal of an event whose id the store holds with other content. */
export function conflictingEvent(
  stored: RecordedEvent,
  given: RecordedOrStoredEvent,
  field: string,
): ImportRefusedError {
  return new ImportRefusedError(
    'conflicting-event',
    given.eventId,
    `the store holds this id as ${stored.streamId}@${stored.revision} with another ${field}`,
  );
}

/** Consecutive events of one stream, in the given order: each run is one append. */
export function runsByStream(events: readonly RecordedEvent[]): RecordedEvent[][] {
  const runs: RecordedEvent[][] = [];
  let run: RecordedEvent[] = [];
  for (const event of events) {
    const last = run[run.length - 1];
    if (last && (last.streamId !== event.streamId || last.revision + 1n !== event.revision)) {
      runs.push(run);
      run = [];
    }
    run.push(event);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
