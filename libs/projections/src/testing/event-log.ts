import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ExportRestrictionEvent,
  exportRestrictionStreamId,
  Money,
  type MoneyDto,
  parseInstant,
  type ProjectEvent,
  projectStreamId,
  Quantity,
  type QuantityDto,
  type StockpileEvent,
  stockpileStreamId,
  type SupplyEvent,
  supplyStreamId,
} from '@ledger/domain';
import {
  type EventStore,
  openSqliteDatabase,
  type RecordedEvent,
  type SqliteDatabase,
} from '@ledger/event-store';
import { SQLITE_READ_MODELS } from '../index';
import type { SqliteReadModel } from '../projection';
import { SqliteProjector } from '../sqlite-projector';

/**
 * Test-only helpers for the projections: an in-memory event log that hands out RecordedEvents with
 * increasing positions and chosen times, and a temporary SQLite file with a projector over the read
 * models, driven batch by batch through `handle()`. Not exported from the lib's index.
 */

export type LedgerEvent = StockpileEvent | ProjectEvent | SupplyEvent | ExportRestrictionEvent;
export type LedgerEventType = LedgerEvent['type'];
export type DataOf<T extends LedgerEventType> = Extract<LedgerEvent, { type: T }>['data'];

/** Both times of an event; a bare date means 00:00 UTC that day, as on the wire. */
export interface EventTimes {
  /** defaults to the recorded time, as the API does */
  effectiveAt?: string;
  /** defaults to one second after the previous event's; may never go back */
  recordedAt?: string;
}

/** An instant in the canonical stored form (`YYYY-MM-DDTHH:mm:ss.sssZ`). */
export const instant = (text: string): string => parseInstant(text, 'instant');

/** A report's cut at a bare day: `asOf` as the API parses `?asOf=2026-03-26`. */
export const onDay = (day: string): string => instant(day);

/** Quantities as events store them: canonical kilograms. */
export const tonnes = (amount: string): QuantityDto => Quantity.parse({ amount, unit: 't' }).toJSON();
export const kilograms = (amount: string): QuantityDto => Quantity.parse({ amount, unit: 'kg' }).toJSON();
export const usd = (amount: string): MoneyDto => Money.parse({ amount, currency: 'USD' }).toJSON();

const SECOND_MS = 1000;

export class EventLog {
  private readonly recorded: RecordedEvent[] = [];
  private readonly revisions = new Map<string, bigint>();
  private clock: string;

  /** `start` is the recorded time the first event gets by default, less one second. */
  constructor(start = '2020-01-01') {
    this.clock = instant(start);
  }

  get events(): readonly RecordedEvent[] {
    return this.recorded;
  }

  /** Position of the latest event, 0n while empty. */
  get head(): bigint {
    return BigInt(this.recorded.length);
  }

  /** Recorded time of the latest event (or the start). */
  get now(): string {
    return this.clock;
  }

  /** Appends one event, as the store would record it. */
  record<T extends LedgerEventType>(
    streamId: string,
    type: T,
    data: DataOf<T>,
    times: EventTimes = {},
  ): RecordedEvent {
    const recordedAt =
      times.recordedAt === undefined
        ? new Date(Date.parse(this.clock) + SECOND_MS).toISOString()
        : instant(times.recordedAt);
    if (recordedAt < this.clock) {
      throw new Error(
        `recordedAt ${recordedAt} goes back before ${this.clock}: the store's clock never does`,
      );
    }
    this.clock = recordedAt;
    const position = BigInt(this.recorded.length + 1);
    const revision = this.revisions.get(streamId) ?? 0n;
    this.revisions.set(streamId, revision + 1n);
    const event: RecordedEvent = {
      eventId: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
      type,
      schemaVersion: 1,
      streamId,
      revision,
      position,
      recordedAt,
      effectiveAt: times.effectiveAt === undefined ? recordedAt : instant(times.effectiveAt),
      data,
      metadata: {
        actor: { name: 'test-recorder', roles: ['recorder'] },
        correlationId: `correlation-${position}`,
        causationId: `correlation-${position}`,
      },
    };
    this.recorded.push(event);
    return event;
  }

  // Stockpiles (stream `stockpile-<id>`)

  establishStockpile(
    stockpileId: string,
    participants: Record<string, string>,
    times?: EventTimes,
    name = `Stockpile ${stockpileId}`,
  ): RecordedEvent {
    return this.record(
      stockpileStreamId(stockpileId),
      'StockpileEstablished',
      {
        stockpileId,
        name,
        custodian: 'Custodian',
        participants: Object.entries(participants).map(([country, sharePercent]) => ({
          country,
          sharePercent,
        })),
      },
      times,
    );
  }

  acquire(
    stockpileId: string,
    material: string,
    quantity: QuantityDto,
    location: string,
    times?: EventTimes,
  ): RecordedEvent {
    const lotId = `lot-${this.recorded.length + 1}`;
    return this.record(
      stockpileStreamId(stockpileId),
      'StockpileAcquired',
      { lotId, material, quantity, location, originCountry: 'CA' },
      times,
    );
  }

  release(
    stockpileId: string,
    material: string,
    quantity: QuantityDto,
    location: string,
    times?: EventTimes,
  ): RecordedEvent {
    return this.record(
      stockpileStreamId(stockpileId),
      'StockpileReleased',
      {
        releaseId: `release-${this.recorded.length + 1}`,
        material,
        quantity,
        location,
        recipient: 'Recipient',
        recipientCountry: 'JP',
        reason: 'supply disruption',
        authorisationRef: 'AUTH-1',
      },
      times,
    );
  }

  transfer(
    stockpileId: string,
    material: string,
    quantity: QuantityDto,
    fromLocation: string,
    toLocation: string,
    times?: EventTimes,
  ): RecordedEvent {
    return this.record(
      stockpileStreamId(stockpileId),
      'StockTransferred',
      { transferId: `transfer-${this.recorded.length + 1}`, material, quantity, fromLocation, toLocation },
      times,
    );
  }

  // Supply statistics (stream `supply-<importing or consuming country>`)

  tradeFlow(
    importer: string,
    exporter: string,
    material: string,
    year: number,
    annualQuantity: QuantityDto,
    times?: EventTimes,
  ): RecordedEvent {
    return this.record(
      supplyStreamId(importer),
      'TradeFlowRecorded',
      { importer, exporter, material, year, annualQuantity },
      times,
    );
  }

  consumption(
    country: string,
    material: string,
    year: number,
    annualQuantity: QuantityDto,
    times?: EventTimes,
  ): RecordedEvent {
    return this.record(
      supplyStreamId(country),
      'ConsumptionRecorded',
      { country, material, year, annualQuantity },
      times,
    );
  }

  // Export restrictions (stream `exportRestriction-<id>`)

  restrictExports(
    restrictionId: string,
    terms: Pick<DataOf<'ExportRestricted'>, 'imposedBy' | 'materials' | 'appliesTo' | 'effectiveFrom'> &
      Partial<DataOf<'ExportRestricted'>>,
    times?: EventTimes,
  ): RecordedEvent {
    return this.record(
      exportRestrictionStreamId(restrictionId),
      'ExportRestricted',
      {
        measure: 'licensing',
        announcedOn: terms.effectiveFrom,
        legalReference: `Reference ${restrictionId}`,
        ...terms,
        restrictionId,
      },
      times,
    );
  }

  liftRestriction(restrictionId: string, effectiveFrom: string, times?: EventTimes): RecordedEvent {
    return this.record(
      exportRestrictionStreamId(restrictionId),
      'ExportRestrictionLifted',
      { effectiveFrom },
      times,
    );
  }

  // Projects (stream `project-<id>`)

  registerProject(
    projectId: string,
    terms: Pick<DataOf<'ProjectRegistered'>, 'country' | 'materials'> & Partial<DataOf<'ProjectRegistered'>>,
    times?: EventTimes,
  ): RecordedEvent {
    return this.record(
      projectStreamId(projectId),
      'ProjectRegistered',
      { name: `Project ${projectId}`, operator: 'Operator', stage: 'feasibility', ...terms, projectId },
      times,
    );
  }

  declareCapacity(
    projectId: string,
    material: string,
    annualCapacity: QuantityDto,
    times?: EventTimes,
  ): RecordedEvent {
    return this.record(projectStreamId(projectId), 'CapacityDeclared', { material, annualCapacity }, times);
  }

  advanceStage(
    projectId: string,
    from: DataOf<'ProjectStageAdvanced'>['from'],
    to: DataOf<'ProjectStageAdvanced'>['to'],
    times?: EventTimes,
  ): RecordedEvent {
    return this.record(projectStreamId(projectId), 'ProjectStageAdvanced', { from, to }, times);
  }

  financeProject(projectId: string, financing: DataOf<'ProjectFinanced'>, times?: EventTimes): RecordedEvent {
    return this.record(projectStreamId(projectId), 'ProjectFinanced', financing, times);
  }

  signOfftake(
    projectId: string,
    offtake: Omit<DataOf<'OfftakeSigned'>, 'buyer'> & { buyer?: string },
    times?: EventTimes,
  ): RecordedEvent {
    return this.record(
      projectStreamId(projectId),
      'OfftakeSigned',
      { buyer: `Buyer in ${offtake.buyerCountry}`, ...offtake },
      times,
    );
  }

  recordDelivery(
    projectId: string,
    offtakeId: string,
    quantity: QuantityDto,
    deliveredOn: string,
    times?: EventTimes,
  ): RecordedEvent {
    return this.record(
      projectStreamId(projectId),
      'OfftakeDeliveryRecorded',
      { offtakeId, quantity, deliveredOn },
      times,
    );
  }

  terminateOfftake(
    projectId: string,
    offtakeId: string,
    effectiveOn: string,
    times?: EventTimes,
    reason = 'terminated by the buyer',
  ): RecordedEvent {
    return this.record(
      projectStreamId(projectId),
      'OfftakeTerminated',
      { offtakeId, reason, effectiveOn },
      times,
    );
  }
}

const notUsed = (): never => {
  throw new Error('the test projector is driven through handle(); it never reads the event store');
};

/**
 * SqliteProjector wants an EventStore for start()'s subscription only; handle(), which these tests drive
 * directly, never touches it. Every method throws so that an accidental use fails loudly.
 */
export const UNUSED_EVENT_STORE: EventStore = {
  append: notUsed,
  readStream: notUsed,
  readAll: notUsed,
  headPosition: notUsed,
  subscribeToAll: notUsed,
  close: async () => undefined,
};

/** The read-model tables a projector created in `db`: every table but SQLite's own and the checkpoints. */
export function readModelTables(db: SqliteDatabase): string[] {
  return db
    .prepare(
      `SELECT name FROM sqlite_master
        WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'projection_checkpoints'
        ORDER BY name`,
    )
    .pluck()
    .all() as string[];
}

/** The full contents of a table, 64-bit integers as bigint, ordered by every column. */
export function tableContents(db: SqliteDatabase, table: string): unknown[] {
  const columns = (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map(
    (column) => `"${column.name}"`,
  );
  return db
    .prepare(`SELECT * FROM "${table}" ORDER BY ${columns.join(', ')}`)
    .safeIntegers(true)
    .all();
}

/** Every read-model table with its full contents, for comparing two databases. */
export function dumpReadModels(db: SqliteDatabase): Record<string, unknown[]> {
  return Object.fromEntries(readModelTables(db).map((table) => [table, tableContents(db, table)]));
}

/**
 * A temporary SQLite file holding the read models, with a SqliteProjector over them. `restart()` plays a
 * process that dies and comes back: the old connection and projector are dropped without any clean stop,
 * and a fresh projector on a new connection to the same file must resume from the checkpoints it finds.
 */
export class TestReadModels {
  readonly dir: string;
  readonly file: string;
  db: SqliteDatabase;
  projector: SqliteProjector;
  private readonly abandoned: SqliteDatabase[] = [];

  constructor(readModels: SqliteReadModel[] = SQLITE_READ_MODELS) {
    this.dir = mkdtempSync(join(tmpdir(), 'ledger-projections-'));
    this.file = join(this.dir, 'ledger.sqlite');
    this.db = this.open();
    this.projector = new SqliteProjector(this.db, UNUSED_EVENT_STORE, readModels);
  }

  /** Feeds every event in one batch (the default) or in batches of `batchSize`. */
  feed(events: readonly RecordedEvent[], batchSize = Math.max(events.length, 1)): void {
    for (let start = 0; start < events.length; start += batchSize) {
      this.projector.handle(events.slice(start, start + batchSize));
    }
  }

  restart(readModels: SqliteReadModel[] = SQLITE_READ_MODELS): SqliteProjector {
    // the dead process's connection is neither closed nor checkpointed: it is simply never used again
    this.abandoned.push(this.db);
    this.db = this.open();
    this.projector = new SqliteProjector(this.db, UNUSED_EVENT_STORE, readModels);
    return this.projector;
  }

  /**
   * The ledger's own settings (WAL), except that commits are not fsynced: these tests play processes
   * that die, never power cuts, and `synchronous` changes only what survives the latter. A transaction
   * is still atomic and a closed connection's commits are still there for the next one.
   */
  private open(): SqliteDatabase {
    const db = openSqliteDatabase(this.file);
    db.pragma('synchronous = OFF');
    return db;
  }

  close(): void {
    for (const db of [...this.abandoned, this.db]) if (db.open) db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Read models over a log already fed in one batch: the common setup of the query specs. */
export function projectLog(log: EventLog): TestReadModels {
  const readModels = new TestReadModels();
  readModels.feed(log.events);
  return readModels;
}
