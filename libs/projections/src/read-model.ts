import type { DomainEvent, StreamCategory } from '@ledger/domain';
import type { SqlDialect, Statement } from './sql/sql.port';

/** Where and when an event happened, as every projection sees it beside the event itself. */
export interface ProjectedEnvelope {
  readonly eventId: string;
  readonly streamId: string;
  /** the entity the stream belongs to: the stream id after its category */
  readonly entityId: string;
  /** global position: strictly increasing, 64-bit */
  readonly position: bigint;
  /** when the fact holds in the world (ISO 8601, UTC) */
  readonly effectiveAt: string;
  /** when the ledger learned it (ISO 8601, UTC): never decreasing along positions */
  readonly recordedAt: string;
  /** the event's hash as sealed (its content hash): what the log digest folds */
  readonly hash?: string;
}

/**
 * An event as projections receive it: upcast to its current shape by the projector (the same upcasters as
 * the command handler), typed by the domain's event union, with its envelope. A union over `Event`, so a
 * `switch (event.type)` narrows `event.data`.
 */
export type Projected<Event extends DomainEvent> = Event extends DomainEvent
  ? { readonly type: Event['type']; readonly data: Event['data'] } & ProjectedEnvelope
  : never;

/** A table of a read model: its logical name (queries use it, through a view) and how to create it. */
export interface TableDefinition {
  readonly name: string;
  /** CREATE TABLE and CREATE INDEX statements for the physical table `table` */
  ddl(table: string, dialect: SqlDialect): string[];
}

/** Physical table names by logical name: those of the generation being written. */
export type TableNames = (logical: string) => string;

/**
 * A read model: a pure projection from events to changes, and how changes become rows. Versioned by name
 * (a new version is built from the whole log beside the old one); its checkpoint has the same name.
 */
export interface ReadModel<Event extends DomainEvent = DomainEvent, Change = unknown> {
  /** e.g. `inventory_v2` */
  readonly name: string;
  /** the streams it reads */
  readonly category: StreamCategory;
  /** the event types it projects: taken from the domain's `*_EVENT_TYPES` lists */
  readonly handles: readonly Event['type'][];
  readonly tables: readonly TableDefinition[];
  /** pure, total: never throws on an event its category and types admit */
  project(event: Projected<Event>): Change[];
  /** the statements that write a batch of changes (in position order), idempotently */
  write(changes: Change[], tables: TableNames, dialect: SqlDialect): Statement[];
}

/**
 * Both times of a fact, as the rows of every read model keep them. Projections of frequent events write
 * the three fields out in an object literal rather than spreading `factTimes(event)` into it: V8 (Node 20)
 * builds an object from a spread plus further properties some twenty times slower than from a literal,
 * and a rebuild pays that once per event.
 */
export interface FactTimes {
  position: bigint;
  effectiveAt: string;
  recordedAt: string;
}

export const factTimes = (event: ProjectedEnvelope): FactTimes => ({
  position: event.position,
  effectiveAt: event.effectiveAt,
  recordedAt: event.recordedAt,
});

/** The columns every fact row ends with. */
export const TIMES_COLUMNS = (dialect: SqlDialect): string =>
  `position ${dialect.bigint} NOT NULL, effective_at TEXT NOT NULL, recorded_at TEXT NOT NULL`;
