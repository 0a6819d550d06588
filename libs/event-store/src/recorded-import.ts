import { canonicalJson } from './canonical-json';
import type { RecordedEvent } from './event-envelope';
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
export function checkRecordedAt(event: RecordedEvent): void {
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
export function recordedEventDifference(stored: RecordedEvent, given: RecordedEvent): string | undefined {
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

/** The refusal of an event whose id the store holds with other content. */
export function conflictingEvent(
  stored: RecordedEvent,
  given: RecordedEvent,
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
