import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres/test-database';
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
import type { EventStore, ReadAllOptions, RecordedEvent } from '@ledger/event-store';
import { EventProjector } from '../src/projector/projected-events';
import type { ReadModel } from '../src/read-model';
import { READ_MODELS } from '../src/read-models';
import { openReadModelStore } from '../src/store/open-read-model-store';
import type { Checkpoint, ReadModelStore } from '../src/store/read-model-store';

/**
 * Test-only helpers for the projections: an in-memory event log that hands out RecordedEvents with
 * increasing positions and chosen times, and read models in a real store (a temporary SQLite file, or a
 * fresh database on the test run's PostgreSQL) fed batch by batch. Not part of the lib's index.
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

/** The read-model store adapters every read-side contract runs against. */
export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** A read model's rows, normalised for comparison: 64-bit integers and decimals as bigint, in key order. */
type Rows = Record<string, unknown>[];

/**
 * Read models in a real store, fed directly (no event store, no subscription). `restart()` plays a process
 * that dies and comes back: the store is dropped without a clean stop, and a fresh one on the same file
 * or database must resume from the checkpoints it finds.
 */
export class TestReadModels {
  private readonly abandoned: ReadModelStore[] = [];

  private constructor(
    readonly kind: StoreKind,
    private readonly location: { dataDir: string } | { database: TestDatabase },
    public store: ReadModelStore,
    private readonly models: readonly ReadModel[],
  ) {}

  static async open(
    kind: StoreKind = 'sqlite',
    models: readonly ReadModel[] = READ_MODELS,
  ): Promise<TestReadModels> {
    const location =
      kind === 'sqlite'
        ? { dataDir: mkdtempSync(join(tmpdir(), 'ledger-projections-')) }
        : { database: await createTestDatabase() };
    return new TestReadModels(kind, location, await TestReadModels.storeAt(location, models), models);
  }

  private static storeAt(
    location: { dataDir: string } | { database: TestDatabase },
    models: readonly ReadModel[],
  ): Promise<ReadModelStore> {
    return 'dataDir' in location
      ? openReadModelStore({ dataDir: location.dataDir, readStore: { kind: 'sqlite' } }, { models })
      : openReadModelStore(
          { dataDir: '', readStore: { kind: 'postgres', url: location.database.url } },
          { models },
        );
  }

  /** What the query functions read. */
  get db() {
    return this.store.reader;
  }

  /** Feeds every event in one batch (the default) or in batches of `batchSize`. */
  async feed(events: readonly RecordedEvent[], batchSize = Math.max(events.length, 1)): Promise<void> {
    // The floor of recorded times is that of the lowest checkpoint, where a projector resumes (as
    // Projector.follow does): the highest would clamp the recorded times of every event a model added later
    // has yet to see.
    const checkpoints = [...(await this.store.checkpoints()).values()];
    const lowest = checkpoints.reduce<Checkpoint | undefined>(
      (low, c) => (low === undefined || c.position < low.position ? c : low),
      undefined,
    );
    const projector = new EventProjector(lowest?.recordedAt ?? '');
    for (let start = 0; start < events.length; start += batchSize) {
      const failures = await this.store.apply(projector.project(events.slice(start, start + batchSize)));
      if (failures.length > 0) throw failures[0]!.error;
    }
  }

  async restart(models: readonly ReadModel[] = this.models): Promise<ReadModelStore> {
    // the dead process's connections are not closed cleanly first: they are simply never used again
    this.abandoned.push(this.store);
    this.store = await TestReadModels.storeAt(this.location, models);
    return this.store;
  }

  /** Every live read-model table (through its view) with its full contents, for comparing two stores. */
  async dump(): Promise<Record<string, Rows>> {
    const tables: Record<string, Rows> = {};
    for (const model of this.store.models) {
      for (const table of model.tables) tables[table.name] = await this.table(table.name);
    }
    return tables;
  }

  /**
   * A table's rows with every value as text (SQLite hands out integers as bigint, PostgreSQL as strings),
   * ordered by all columns, so that two stores of either kind can be compared row for row.
   */
  async table(name: string): Promise<Rows> {
    const rows = await this.store.reader.all<Record<string, unknown>>(`SELECT * FROM ${name}`);
    const asText = rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([column, value]) => [column, value === null ? null : String(value)]),
      ),
    );
    const key = (row: Record<string, unknown>) => JSON.stringify(row);
    return asText.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  async close(): Promise<void> {
    for (const store of [...this.abandoned, this.store]) await store.close().catch(() => undefined);
    if ('dataDir' in this.location) rmSync(this.location.dataDir, { recursive: true, force: true });
    else await this.location.database.drop();
  }
}

/** Read models over a log already fed in one batch: the common setup of the query specs. */
export async function projectLog(log: EventLog, kind: StoreKind = 'sqlite'): Promise<TestReadModels> {
  const readModels = await TestReadModels.open(kind);
  await readModels.feed(log.events);
  return readModels;
}

/**
 * A test-only EventStore over an EventLog's events: what `rebuildReadModels` reads (a page of the log and
 * its head). It appends nothing and follows nothing.
 */
export class InMemoryLogStore implements EventStore {
  readonly positionsAreDense = true;

  constructor(private readonly events: readonly RecordedEvent[]) {}

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromPosition ?? 0n;
    const after = this.events.filter((event) => event.position > from);
    return options.limit === undefined ? after : after.slice(0, options.limit);
  }

  async headPosition(): Promise<bigint> {
    return this.events[this.events.length - 1]?.position ?? 0n;
  }

  append(): never {
    throw new Error('the in-memory log of the rebuild tests is read-only');
  }

  importRecorded(): never {
    throw new Error('the in-memory log of the rebuild tests is read-only');
  }

  readStream(): never {
    throw new Error('the rebuild reads the global log only');
  }

  subscribeToAll(): never {
    throw new Error('the rebuild reads the global log only');
  }

  async close(): Promise<void> {}
}
