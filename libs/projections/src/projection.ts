import type { RecordedEvent } from '@ledger/event-store';
import type { SqliteDatabase } from '@ledger/event-store';

/**
 * A projection: a pure function from one event to the read-model changes it causes (often none).
 * It never throws on an event it does not know, so new event types cannot stall the projector.
 */
export type Project<Change> = (event: RecordedEvent) => Change[];

/**
 * A read model in the embedded store: its versioned name (a new version is rebuilt beside the old one),
 * its tables, and how to write a batch of changes. Writes happen inside the projector's transaction.
 */
export interface SqliteReadModel<Change = unknown> {
  /** e.g. 'inventory_v1'; also the key of its checkpoint */
  readonly name: string;
  /** the tables it owns, by their live names */
  readonly tables: readonly string[];
  readonly project: Project<Change>;
  /** creates its tables and indexes; `prefix` names a copy built beside the live one (see rebuild) */
  createTables(db: SqliteDatabase, prefix?: string): void;
  /** returns a writer bound to prepared statements on the (prefixed) tables */
  writer(db: SqliteDatabase, prefix?: string): (changes: Change[]) => void;
}

/** Both times of a fact, carried by every read-model row so asOf/knownAt are plain WHERE clauses. */
export interface FactTimes {
  effectiveAt: string;
  recordedAt: string;
  position: bigint;
}

export const factTimes = (event: RecordedEvent): FactTimes => ({
  effectiveAt: event.effectiveAt,
  recordedAt: event.recordedAt,
  position: event.position,
});

/** A writer that runs one prepared INSERT per change: what single-table read models need. */
export const insertEach =
  <Change>(insert: { run(change: Change): unknown }) =>
  (changes: Change[]): void => {
    for (const change of changes) insert.run(change);
  };
