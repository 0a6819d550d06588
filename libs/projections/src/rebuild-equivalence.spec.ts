import {
  FINANCING_INSTRUMENTS,
  formatRatio,
  formatScaledDecimal,
  gramsToKilograms,
  parseScaledDecimal,
  PROJECT_STAGE_ORDER,
  Quantity,
  RESTRICTION_MEASURES,
} from '@ledger/domain';
import {
  type DigestCheckpoint,
  GENESIS_CHECKPOINT,
  nextDigestCheckpoint,
  type RecordedEvent,
} from '@ledger/event-store';
import {
  type DataOf,
  EventLog,
  type LedgerEventType,
  onDay,
  STORE_KINDS,
  type StoreKind,
  TestReadModels,
  usd,
  InMemoryLogStore,
} from '../testing/event-log';
import type { Bitemporal } from './bitemporal';
import { EXPOSURE_SCALES, type Exposure, queryExposure } from './exposure/exposure.queries';
import { inventoryReadModel } from './inventory/inventory.projection';
import { type InventoryRow, queryInventory } from './inventory/inventory.queries';
import { rebuildReadModels } from './projector/rebuild';
import { queryProject } from './projects/projects.queries';
import type { ReadModel } from './read-model';
import { digestCheckpointBefore, LOG_INDEX_INTERVAL } from './audit/log-index';
import { READ_MODELS } from './read-models';
import {
  queryActiveRestrictions,
  type RestrictionFilter,
  type RestrictionView,
} from './restrictions/restrictions.queries';
import type { SqlReader } from './sql/sql.port';
import { stockpilesReadModel } from './stockpiles/stockpiles.projection';
import { queryStockpile } from './stockpiles/stockpiles.queries';
import { supplyReadModel } from './supply/supply.projection';

/*
 * Property: however the log reaches the read models — in one batch, in batches of random sizes, across a
 * crash (even one in the middle of a batch) after which a fresh store resumes from its checkpoints, with
 * batches delivered more than once, to a read model added later, or through a rebuild beside the live
 * version and a swap — the read models end up identical, row for row, and so do the answers of the
 * queries. The logs are random but valid, drawn from a seeded PRNG so that a failing seed can be replayed.
 * Every seed runs on both read-model stores.
 */

/** Seeds per store: every one on SQLite; PostgreSQL_SEEDS of them on PostgreSQL (see the note there). */
const SQLITE_SEEDS = 50;
/**
 * PostgreSQL answers each query in a round trip or more and each store is a fresh database, so a seed costs
 * several times what it does on SQLite: the first seeds keep the suite near a minute on two cores.
 */
const POSTGRES_SEEDS = 10;
const seedsFor = (kind: StoreKind): number[] =>
  Array.from({ length: kind === 'sqlite' ? SQLITE_SEEDS : POSTGRES_SEEDS }, (_, index) => index + 1);

// ---------------------------------------------------------------------------------------------------------
// A tiny seeded PRNG (mulberry32): no dependency, same sequence on every run.

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** an integer in [min, max] */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** between min and max distinct items, in random order */
  subset<T>(items: readonly T[], min: number, max: number): T[] {
    const shuffled = [...items];
    for (let index = shuffled.length - 1; index > 0; index -= 1) {
      const other = this.int(0, index);
      [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
    }
    return shuffled.slice(0, this.int(min, Math.min(max, shuffled.length)));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Random but valid logs across every aggregate.

const COUNTRIES = ['JP', 'CA', 'KR', 'US', 'CN', 'AU'] as const;
const MATERIALS = ['graphite-anode', 'gallium', 'ndpr-oxide'] as const;
const LOCATIONS = ['Tsukuba', 'Becancour', 'Busan'] as const;
const DAY_MS = 86_400_000;

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const addDays = (day: string, days: number): string => dayOf(Date.parse(day) + days * DAY_MS);
const daysBetween = (from: string, until: string): number => (Date.parse(until) - Date.parse(from)) / DAY_MS;
const grams = (amount: number | bigint) => Quantity.ofGrams(BigInt(amount)).toJSON();

interface GeneratedOfftake {
  id: string;
  material: string;
  grams: bigint;
  startsOn: string;
  endsOn: string;
  terminated: boolean;
  lastDeliveredOn?: string;
}

interface GeneratedProject {
  id: string;
  materials: string[];
  stage: number;
  capacities: Map<string, bigint>;
  offtakes: GeneratedOfftake[];
}

/**
 * Keeps every invariant DOMAIN.md states: balances of every (material, location) ≥ 0 at every effective
 * time (a release or transfer is never effective before the stockpile's latest movement, and takes at most
 * what is on hand; back-dated acquisitions only add), shares summing to exactly 100, importer ≠ exporter,
 * lifts not before the measure and once only, stages forward, capacity never below the whole offtake
 * book, deliveries and terminations within the term.
 */
function generateLog(random: Random): EventLog {
  const log = new EventLog('2023-01-01');
  let clock = Date.parse('2023-01-01T00:00:00.000Z');
  const stockpiles: { id: string; latestEffective: number; balances: Map<string, bigint> }[] = [];
  const restrictions: { id: string; effectiveFrom: string; lifted: boolean }[] = [];
  const projects: GeneratedProject[] = [];
  const flows: [string, string, string, number][] = [];
  const consumptions: [string, string, number][] = [];
  let financings = 0;
  /** a key recorded before, three times in ten (a revised statistic), else a new one */
  const reviseOrNew = <Key>(keys: Key[], create: () => Key): Key => {
    if (keys.length > 0 && random.chance(0.3)) return random.pick(keys);
    const key = create();
    keys.push(key);
    return key;
  };

  const actions: [number, (times: { recordedAt: string }) => void][] = [
    [
      1,
      (times) => {
        if (stockpiles.length >= 4) return;
        const countries = random.subset(COUNTRIES, 1, 3);
        // shares in units of 0.0001 %, cut at random points: they sum to exactly 100
        const cuts = [0, ...Array.from({ length: countries.length - 1 }, () => random.int(1, 999_999))]
          .sort((a, b) => a - b)
          .concat(1_000_000);
        const shares = countries.map((_, index) => BigInt(cuts[index + 1]! - cuts[index]!));
        if (shares.some((share) => share === 0n)) return;
        const id = `s${stockpiles.length + 1}`;
        const effective = clock - random.int(0, 200) * DAY_MS;
        log.establishStockpile(
          id,
          Object.fromEntries(
            countries.map((country, index) => [country, formatScaledDecimal(shares[index]!, 4)]),
          ),
          { ...times, effectiveAt: new Date(effective).toISOString() },
        );
        stockpiles.push({ id, latestEffective: effective, balances: new Map() });
      },
    ],
    [
      4,
      (times) => {
        if (stockpiles.length === 0) return;
        const stockpile = random.pick(stockpiles);
        const material = random.pick(MATERIALS);
        const location = random.pick(LOCATIONS);
        const amount = BigInt(random.int(1, 5_000_000_000));
        // acquisitions may be back-dated: they only ever add
        const effective = random.chance(0.3) ? clock - random.int(0, 90 * DAY_MS) : clock;
        log.acquire(stockpile.id, material, grams(amount), location, {
          ...times,
          effectiveAt: new Date(effective).toISOString(),
        });
        const key = `${material}|${location}`;
        stockpile.balances.set(key, (stockpile.balances.get(key) ?? 0n) + amount);
        stockpile.latestEffective = Math.max(stockpile.latestEffective, effective);
      },
    ],
    [
      3,
      (times) => {
        const withStock = stockpiles.filter((stockpile) =>
          [...stockpile.balances.values()].some((b) => b > 0n),
        );
        if (withStock.length === 0) return;
        const stockpile = random.pick(withStock);
        const key = random.pick(
          [...stockpile.balances].filter(([, balance]) => balance > 0n).map(([k]) => k),
        );
        const [material, location] = key.split('|') as [string, string];
        const balance = stockpile.balances.get(key)!;
        const amount = BigInt(random.int(1, Number(balance)));
        const effective = stockpile.latestEffective + random.int(0, clock - stockpile.latestEffective);
        const at = { ...times, effectiveAt: new Date(effective).toISOString() };
        if (random.chance(0.7)) {
          log.release(stockpile.id, material, grams(amount), location, at);
        } else {
          const destination = random.pick(LOCATIONS.filter((other) => other !== location));
          log.transfer(stockpile.id, material, grams(amount), location, destination, at);
          const to = `${material}|${destination}`;
          stockpile.balances.set(to, (stockpile.balances.get(to) ?? 0n) + amount);
        }
        stockpile.balances.set(key, balance - amount);
        stockpile.latestEffective = effective;
      },
    ],
    [
      5,
      (times) => {
        const key = reviseOrNew(flows, (): [string, string, string, number] => {
          const importer = random.pick(COUNTRIES);
          const exporter = random.pick(COUNTRIES.filter((country) => country !== importer));
          return [importer, exporter, random.pick(MATERIALS), random.int(2022, 2027)];
        });
        log.tradeFlow(...key, grams(random.int(1, 1_000_000_000_000)), times);
      },
    ],
    [
      2,
      (times) => {
        const key = reviseOrNew(consumptions, (): [string, string, number] => [
          random.pick(COUNTRIES),
          random.pick(MATERIALS),
          random.int(2022, 2027),
        ]);
        log.consumption(...key, grams(random.int(1_000_000, 5_000_000_000_000)), times);
      },
    ],
    [
      1,
      (times) => {
        const imposedBy = random.pick(COUNTRIES);
        const id = `r${restrictions.length + 1}`;
        const effectiveFrom = addDays(dayOf(clock), random.int(-30, 180));
        log.restrictExports(
          id,
          {
            imposedBy,
            materials: random.subset(MATERIALS, 1, 2),
            measure: random.pick(RESTRICTION_MEASURES),
            appliesTo: random.chance(0.5)
              ? ['*']
              : random.subset(
                  COUNTRIES.filter((country) => country !== imposedBy),
                  1,
                  3,
                ),
            announcedOn: dayOf(clock),
            effectiveFrom,
          },
          times,
        );
        restrictions.push({ id, effectiveFrom, lifted: false });
      },
    ],
    [
      1,
      (times) => {
        const unlifted = restrictions.filter((restriction) => !restriction.lifted);
        if (unlifted.length === 0) return;
        const restriction = random.pick(unlifted);
        log.liftRestriction(restriction.id, addDays(restriction.effectiveFrom, random.int(0, 500)), times);
        restriction.lifted = true;
      },
    ],
    [
      1,
      (times) => {
        if (projects.length >= 4) return;
        const id = `p${projects.length + 1}`;
        const materials = random.subset(MATERIALS, 1, 2);
        const stage = random.int(0, 3);
        log.registerProject(
          id,
          { country: random.pick(COUNTRIES), materials, stage: PROJECT_STAGE_ORDER[stage]! },
          times,
        );
        projects.push({ id, materials, stage, capacities: new Map(), offtakes: [] });
      },
    ],
    [
      2,
      (times) => {
        if (projects.length === 0) return;
        const project = random.pick(projects);
        const material = random.pick(project.materials);
        // never below the whole book, terminated offtakes included: above any peak the domain would compute
        const booked = project.offtakes
          .filter((offtake) => offtake.material === material)
          .reduce((sum, offtake) => sum + offtake.grams, 0n);
        const capacity = booked + BigInt(random.int(booked === 0n ? 1 : 0, 100_000_000_000));
        log.declareCapacity(project.id, material, grams(capacity), times);
        project.capacities.set(material, capacity);
      },
    ],
    [
      1,
      (times) => {
        const open = projects.filter((project) => project.stage < PROJECT_STAGE_ORDER.length - 1);
        if (open.length === 0) return;
        const project = random.pick(open);
        const to = random.int(project.stage + 1, PROJECT_STAGE_ORDER.length - 1);
        log.advanceStage(project.id, PROJECT_STAGE_ORDER[project.stage]!, PROJECT_STAGE_ORDER[to]!, times);
        project.stage = to;
      },
    ],
    [
      1,
      (times) => {
        if (projects.length === 0) return;
        financings += 1;
        const financing: DataOf<'ProjectFinanced'> = {
          financingId: `f${financings}`,
          financier: `Financier ${financings}`,
          financierCountry: random.pick(COUNTRIES),
          instrument: random.pick(FINANCING_INSTRUMENTS),
          amount: usd(`${random.int(1, 999_999_999)}.${String(random.int(0, 99)).padStart(2, '0')}`),
        };
        log.financeProject(random.pick(projects).id, financing, times);
      },
    ],
    [
      3,
      (times) => {
        const withCapacity = projects.filter((project) => project.capacities.size > 0);
        if (withCapacity.length === 0) return;
        const project = random.pick(withCapacity);
        const [material, capacity] = random.pick([...project.capacities]);
        const booked = project.offtakes
          .filter((offtake) => offtake.material === material)
          .reduce((sum, offtake) => sum + offtake.grams, 0n);
        if (booked >= capacity) return;
        const volume = BigInt(
          random.int(1, Number(capacity - booked < 50_000_000_000n ? capacity - booked : 50_000_000_000n)),
        );
        const startsOn = addDays('2023-01-01', random.int(0, 5 * 365));
        const offtake: GeneratedOfftake = {
          id: `o${project.offtakes.length + 1}`,
          material,
          grams: volume,
          startsOn,
          endsOn: addDays(startsOn, random.int(1, 6 * 365)),
          terminated: false,
        };
        log.signOfftake(
          project.id,
          {
            offtakeId: offtake.id,
            buyerCountry: random.pick(COUNTRIES),
            material,
            annualVolume: grams(volume),
            startsOn: offtake.startsOn,
            endsOn: offtake.endsOn,
          },
          times,
        );
        project.offtakes.push(offtake);
      },
    ],
    [
      2,
      (times) => {
        const candidates = projects.flatMap((project) =>
          project.offtakes.filter((offtake) => !offtake.terminated).map((offtake) => ({ project, offtake })),
        );
        if (candidates.length === 0) return;
        const { project, offtake } = random.pick(candidates);
        const deliveredOn = addDays(
          offtake.startsOn,
          random.int(0, daysBetween(offtake.startsOn, offtake.endsOn) - 1),
        );
        log.recordDelivery(project.id, offtake.id, grams(random.int(1, 1_000_000_000)), deliveredOn, {
          ...times,
          // a delivery's effective time is its delivery date (DOMAIN.md), or the recording moment
          ...(random.chance(0.5) ? { effectiveAt: deliveredOn } : {}),
        });
        if (offtake.lastDeliveredOn === undefined || deliveredOn > offtake.lastDeliveredOn) {
          offtake.lastDeliveredOn = deliveredOn;
        }
      },
    ],
    [
      1,
      (times) => {
        const candidates = projects.flatMap((project) =>
          project.offtakes.filter((offtake) => !offtake.terminated).map((offtake) => ({ project, offtake })),
        );
        if (candidates.length === 0) return;
        const { project, offtake } = random.pick(candidates);
        const earliest =
          offtake.lastDeliveredOn === undefined ? offtake.startsOn : addDays(offtake.lastDeliveredOn, 1);
        if (earliest >= offtake.endsOn) return;
        const effectiveOn = addDays(earliest, random.int(0, daysBetween(earliest, offtake.endsOn) - 1));
        log.terminateOfftake(project.id, offtake.id, effectiveOn, times);
        offtake.terminated = true;
      },
    ],
  ];
  const totalWeight = actions.reduce((sum, [weight]) => sum + weight, 0);

  const length = random.int(30, 110);
  while (log.events.length < length) {
    // the store's clock never goes back; several events may share an instant
    const step = random.int(0, 9);
    if (step >= 2) clock += step < 5 ? random.int(1, 6 * 3600_000) : random.int(1, 30 * DAY_MS);
    let ticket = random.int(1, totalWeight);
    const action = actions.find(([weight]) => (ticket -= weight) <= 0)!;
    action[1]({ recordedAt: new Date(clock).toISOString() });
  }
  return log;
}

// ---------------------------------------------------------------------------------------------------------
// Ways of delivering a log.

/** The log cut into consecutive batches of random sizes (1 to 15 events). */
function randomBatches(random: Random, events: readonly RecordedEvent[]): RecordedEvent[][] {
  const batches: RecordedEvent[][] = [];
  for (let start = 0; start < events.length;) {
    const size = random.int(1, 15);
    batches.push(events.slice(start, start + size));
    start += size;
  }
  return batches;
}

/** The position every read model has reached: the lowest checkpoint, where a projector resumes. */
async function resumePosition(readModels: TestReadModels): Promise<bigint> {
  const positions = [...(await readModels.store.checkpoints()).values()].map((c) => c.position);
  return positions.reduce((lowest, position) => (position < lowest ? position : lowest), positions[0] ?? 0n);
}

/** Feeds the events after the lowest checkpoint, as a subscription resumed from it would. */
async function resume(
  random: Random,
  readModels: TestReadModels,
  events: readonly RecordedEvent[],
): Promise<void> {
  const from = await resumePosition(readModels);
  for (const batch of randomBatches(
    random,
    events.filter((event) => event.position > from),
  )) {
    await readModels.feed(batch);
  }
}

/** The physical tables of the read models' generations (`<logical>_g<generation>`), from the catalog. */
async function generationTables(readModels: TestReadModels): Promise<string[]> {
  const rows = await readModels.db.all<{ name: string }>(
    readModels.kind === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table'"
      : `SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  return rows
    .map((row) => row.name)
    .filter((name) => /_g\d+$/.test(name))
    .sort();
}

// ---------------------------------------------------------------------------------------------------------
// What must be equal: every read-model table, the checkpoints, and the queries' answers at many cuts.

const EXPOSURE_PAIRS: [string, string][] = [
  ['JP', 'graphite-anode'],
  ['KR', 'gallium'],
  ['US', 'ndpr-oxide'],
  ['CN', 'gallium'],
  ['CA', 'graphite-anode'],
];

function cutsFor(log: EventLog): Bitemporal[] {
  const middle = log.events[Math.floor(log.events.length / 2)]!;
  const knownAts: Bitemporal['knownAt'][] = [
    undefined,
    { position: middle.position },
    { recordedAt: middle.recordedAt },
    { position: 1n },
  ];
  const asOfs = [
    onDay('2023-03-31'),
    onDay('2024-06-30'),
    '2025-06-30T12:00:00.000Z',
    onDay('2026-12-31'),
    onDay('2028-06-30'),
  ];
  return asOfs.flatMap((asOf) => knownAts.map((knownAt) => ({ asOf, knownAt })));
}

const restrictionFilters = (day: string): RestrictionFilter[] => [
  { activeOn: day },
  { activeOn: day, importer: 'JP' },
  { activeOn: day, importer: 'KR', material: 'gallium' },
];

/** Every balance at the cut, read page by page (small pages, so that the cursors are exercised too). */
async function wholeInventory(db: SqlReader, cut: Bitemporal): Promise<InventoryRow[]> {
  const rows: InventoryRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryInventory(db, {}, cut, { limit: 4, ...(cursor === undefined ? {} : { cursor }) });
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return rows;
}

async function queryAnswers(db: SqlReader, log: EventLog) {
  const answers = [];
  for (const cut of cutsFor(log)) {
    const [inventory, exposures, restrictions, stockpiles, projects] = await Promise.all([
      wholeInventory(db, cut),
      Promise.all(EXPOSURE_PAIRS.map(([country, material]) => queryExposure(db, country, material, cut))),
      Promise.all(
        restrictionFilters(cut.asOf.slice(0, 10)).map((filter) => queryActiveRestrictions(db, filter, cut)),
      ),
      Promise.all(['s1', 's2', 's3', 's4'].map((id) => queryStockpile(db, id, cut))),
      Promise.all(['p1', 'p2', 'p3', 'p4'].map((id) => queryProject(db, id, cut))),
    ]);
    answers.push({ cut, inventory, exposures, restrictions, stockpiles, projects });
  }
  return answers;
}

/** What a store holds after the whole log: tables, checkpoints and the queries' answers. */
async function readModelState(readModels: TestReadModels, log: EventLog) {
  const checkpoints = await readModels.store.checkpoints();
  return {
    position: await resumePosition(readModels),
    checkpoints: Object.fromEntries(
      [...checkpoints]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, checkpoint]) => [
          name,
          { position: checkpoint.position, recordedAt: checkpoint.recordedAt },
        ]),
    ),
    tables: await readModels.dump(),
    answers: await queryAnswers(readModels.db, log),
  };
}

// ---------------------------------------------------------------------------------------------------------
// A naive fold over the log, straight from DOMAIN.md's definitions, to check the SQL against.

const knownAt = (event: RecordedEvent, cut: Bitemporal): boolean =>
  cut.knownAt === undefined ||
  ('position' in cut.knownAt
    ? event.position <= cut.knownAt.position
    : event.recordedAt <= cut.knownAt.recordedAt);
const visibleAt = (event: RecordedEvent, cut: Bitemporal): boolean =>
  event.effectiveAt <= cut.asOf && knownAt(event, cut);
const idOf = (event: RecordedEvent): string => event.streamId.slice(event.streamId.indexOf('-') + 1);
const dataOf = <T extends LedgerEventType>(event: RecordedEvent, _type: T): DataOf<T> =>
  event.data as DataOf<T>;

function naiveInventory(events: readonly RecordedEvent[], cut: Bitemporal): InventoryRow[] {
  const rows = new Map<string, { key: [string, string, string]; sums: Record<string, bigint> }>();
  const add = (stockpileId: string, material: string, location: string, kind: string, amount: bigint) => {
    const key = `${stockpileId}|${material}|${location}`;
    const row = rows.get(key) ?? {
      key: [stockpileId, material, location] as [string, string, string],
      sums: { acquired: 0n, released: 0n, transferredIn: 0n, transferredOut: 0n },
    };
    row.sums[kind]! += amount;
    rows.set(key, row);
  };
  for (const event of events) {
    if (!event.streamId.startsWith('stockpile-') || !visibleAt(event, cut)) continue;
    const id = idOf(event);
    if (event.type === 'StockpileAcquired') {
      const data = dataOf(event, 'StockpileAcquired');
      add(id, data.material, data.location, 'acquired', Quantity.parse(data.quantity).grams);
    } else if (event.type === 'StockpileReleased') {
      const data = dataOf(event, 'StockpileReleased');
      add(id, data.material, data.location, 'released', Quantity.parse(data.quantity).grams);
    } else if (event.type === 'StockTransferred') {
      const data = dataOf(event, 'StockTransferred');
      const amount = Quantity.parse(data.quantity).grams;
      add(id, data.material, data.fromLocation, 'transferredOut', amount);
      add(id, data.material, data.toLocation, 'transferredIn', amount);
    }
  }
  return [...rows.values()]
    .sort((a, b) => compareTuples(a.key, b.key))
    .map(({ key: [stockpileId, material, location], sums }) => ({
      stockpileId,
      material,
      location,
      onHand: gramsToKilograms(sums.acquired! + sums.transferredIn! - sums.released! - sums.transferredOut!),
      acquired: gramsToKilograms(sums.acquired!),
      released: gramsToKilograms(sums.released!),
      transferredIn: gramsToKilograms(sums.transferredIn!),
      transferredOut: gramsToKilograms(sums.transferredOut!),
    }));
}

function compareTuples(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < a.length; index += 1) {
    if (a[index]! < b[index]!) return -1;
    if (a[index]! > b[index]!) return 1;
  }
  return 0;
}

function naiveActiveRestrictions(
  events: readonly RecordedEvent[],
  filter: RestrictionFilter,
  cut: Bitemporal,
): RestrictionView[] {
  const measures = new Map<string, RestrictionView>();
  for (const event of events) {
    if (!knownAt(event, cut)) continue;
    if (event.type === 'ExportRestricted') {
      const {
        restrictionId,
        imposedBy,
        measure,
        materials,
        appliesTo,
        announcedOn,
        effectiveFrom,
        legalReference,
      } = dataOf(event, 'ExportRestricted');
      measures.set(restrictionId, {
        restrictionId,
        imposedBy,
        measure,
        materials,
        appliesTo,
        announcedOn,
        effectiveFrom,
        liftedFrom: null,
        legalReference,
      });
    } else if (event.type === 'ExportRestrictionLifted') {
      measures.get(idOf(event))!.liftedFrom = dataOf(event, 'ExportRestrictionLifted').effectiveFrom;
    }
  }
  const day = filter.activeOn;
  return [...measures.values()]
    .filter(
      (measure) =>
        measure.effectiveFrom <= day &&
        (measure.liftedFrom === null || measure.liftedFrom > day) &&
        (filter.material === undefined || measure.materials.includes(filter.material)) &&
        (filter.importer === undefined ||
          ((measure.appliesTo.includes(filter.importer) || measure.appliesTo.includes('*')) &&
            measure.imposedBy !== filter.importer)),
    )
    .sort((a, b) => compareTuples([a.effectiveFrom, a.restrictionId], [b.effectiveFrom, b.restrictionId]));
}

function naiveExposure(
  events: readonly RecordedEvent[],
  country: string,
  material: string,
  cut: Bitemporal,
): Exposure {
  const day = cut.asOf.slice(0, 10);
  const year = Number(day.slice(0, 4));
  const restricting = new Set(
    naiveActiveRestrictions(events, { activeOn: day, importer: country, material }, cut).map(
      (r) => r.imposedBy,
    ),
  );

  // statistics are valid for their year: only the knownAt cut applies; a later record supersedes
  const consumptionByYear = new Map<number, bigint>();
  const flowsByYear = new Map<number, Map<string, bigint>>();
  // stockpiles and movements: both cuts
  const shares = new Map<string, bigint>();
  const onHand = new Map<string, bigint>();
  // offtakes: startsOn ≤ D < endsOn, not terminated by D, from projects known at the cut
  const projectCountry = new Map<string, string>();
  const offtakes: { projectId: string; offtakeId: string; grams: bigint }[] = [];
  const terminatedOn = new Map<string, string>();
  for (const event of events) {
    if (!knownAt(event, cut)) continue;
    switch (event.type) {
      case 'ConsumptionRecorded': {
        const data = dataOf(event, 'ConsumptionRecorded');
        if (data.country === country && data.material === material)
          consumptionByYear.set(data.year, Quantity.parse(data.annualQuantity).grams);
        break;
      }
      case 'TradeFlowRecorded': {
        const data = dataOf(event, 'TradeFlowRecorded');
        if (data.importer !== country || data.material !== material) break;
        const flows = flowsByYear.get(data.year) ?? new Map<string, bigint>();
        flows.set(data.exporter, Quantity.parse(data.annualQuantity).grams);
        flowsByYear.set(data.year, flows);
        break;
      }
      case 'StockpileEstablished': {
        if (!visibleAt(event, cut)) break;
        const data = dataOf(event, 'StockpileEstablished');
        const participant = data.participants.find((p) => p.country === country);
        if (participant)
          shares.set(data.stockpileId, parseScaledDecimal(participant.sharePercent, 4, 'share'));
        break;
      }
      case 'StockpileAcquired':
      case 'StockpileReleased':
      case 'StockTransferred': {
        const data = event.data as { material: string; quantity: unknown };
        if (!visibleAt(event, cut) || data.material !== material || event.type === 'StockTransferred') break;
        const amount = Quantity.parse(data.quantity).grams;
        const sign = event.type === 'StockpileAcquired' ? 1n : -1n;
        onHand.set(idOf(event), (onHand.get(idOf(event)) ?? 0n) + sign * amount);
        break;
      }
      case 'ProjectRegistered':
        projectCountry.set(idOf(event), dataOf(event, 'ProjectRegistered').country);
        break;
      case 'OfftakeSigned': {
        const data = dataOf(event, 'OfftakeSigned');
        if (
          data.buyerCountry === country &&
          data.material === material &&
          data.startsOn <= day &&
          day < data.endsOn
        )
          offtakes.push({
            projectId: idOf(event),
            offtakeId: data.offtakeId,
            grams: Quantity.parse(data.annualVolume).grams,
          });
        break;
      }
      case 'OfftakeTerminated':
        terminatedOn.set(
          `${idOf(event)}|${dataOf(event, 'OfftakeTerminated').offtakeId}`,
          dataOf(event, 'OfftakeTerminated').effectiveOn,
        );
        break;
    }
  }

  const latestYear = (years: Iterable<number>) => {
    const eligible = [...years].filter((candidate) => candidate <= year);
    return eligible.length === 0 ? null : Math.max(...eligible);
  };
  const consumptionYear = latestYear(consumptionByYear.keys());
  const consumption = consumptionYear === null ? undefined : consumptionByYear.get(consumptionYear)!;
  const sourcesYear = latestYear(flowsByYear.keys());
  const flows = [...(sourcesYear === null ? [] : flowsByYear.get(sourcesYear)!)].sort(([ea, a], [eb, b]) =>
    a === b ? compareTuples([ea], [eb]) : a > b ? -1 : 1,
  );
  const total = flows.reduce((sum, [, quantity]) => sum + quantity, 0n);
  const restricted = flows
    .filter(([exporter]) => restricting.has(exporter))
    .reduce((sum, [, quantity]) => sum + quantity, 0n);
  const holding = [...shares].reduce((sum, [id, share]) => sum + share * (onHand.get(id) ?? 0n), 0n);
  const offtakeGrams = offtakes
    .filter(({ projectId, offtakeId }) => {
      const country = projectCountry.get(projectId);
      const ended = terminatedOn.get(`${projectId}|${offtakeId}`);
      return country !== undefined && !restricting.has(country) && (ended === undefined || ended > day);
    })
    .reduce((sum, offtake) => sum + offtake.grams, 0n);
  const ratio = (numerator: bigint, scale: number) =>
    total === 0n ? null : formatRatio(numerator, total, scale);

  return {
    country,
    material,
    asOf: cut.asOf,
    consumption: consumption === undefined ? null : gramsToKilograms(consumption),
    consumptionYear,
    sourcesYear,
    sources: flows.map(([exporter, quantity]) => ({
      country: exporter,
      quantity: gramsToKilograms(quantity),
      share: formatRatio(quantity, total, EXPOSURE_SCALES.share),
      restricted: restricting.has(exporter),
    })),
    hhi:
      total === 0n
        ? null
        : formatRatio(
            10_000n * flows.reduce((sum, [, quantity]) => sum + quantity * quantity, 0n),
            total * total,
            EXPOSURE_SCALES.hhi,
          ),
    cr3: ratio(
      flows.slice(0, 3).reduce((sum, [, quantity]) => sum + quantity, 0n),
      EXPOSURE_SCALES.share,
    ),
    restrictedShare: ratio(restricted, EXPOSURE_SCALES.share),
    stockpileHolding: gramsToKilograms(BigInt(formatRatio(holding, 1_000_000n, 0))),
    daysOfCover:
      consumption === undefined
        ? null
        : formatRatio(holding * 365n, 1_000_000n * consumption, EXPOSURE_SCALES.daysOfCover),
    offtakeCoverage:
      consumption === undefined ? null : formatRatio(offtakeGrams, consumption, EXPOSURE_SCALES.share),
  };
}

// ---------------------------------------------------------------------------------------------------------

describe.each(STORE_KINDS)('Rebuilding the read models on %s', (kind) => {
  /** Evidence that the generator reaches every table and every interesting case, summed over the seeds. */
  const coverage = {
    tablesWithRows: new Set<string>(),
    restrictedSources: 0,
    offtakeCoverages: 0,
    positiveHoldings: 0,
    revisedStatistics: 0,
    crashesMidBatch: 0,
  };

  describe.each(seedsFor(kind))('from the random log of seed %i', (seed) => {
    const log = generateLog(new Random(seed));
    let reference: TestReadModels;
    let expected: Awaited<ReturnType<typeof readModelState>>;
    const opened: TestReadModels[] = [];
    const open = async (readModels?: readonly ReadModel[]) => {
      const created = await TestReadModels.open(kind, readModels);
      opened.push(created);
      return created;
    };

    beforeAll(async () => {
      // the reference: a fresh store that got the whole log in one batch
      reference = await open();
      await reference.feed(log.events);
      expected = await readModelState(reference, log);
      expect(expected.position).toBe(log.head);
      for (const [table, rows] of Object.entries(expected.tables)) {
        if (rows.length > 0) coverage.tablesWithRows.add(table);
      }
    }, 60_000);
    // closing drops a PostgreSQL database per store: seconds when the machine is busy
    afterAll(async () => {
      for (const readModels of opened) await readModels.close();
    }, 60_000);

    it('gives the same read models when fed in batches of random sizes', async () => {
      const random = new Random(seed * 7919);
      const batched = await open();
      for (const batch of randomBatches(random, log.events)) await batched.feed(batch);
      expect(await readModelState(batched, log)).toEqual(expected);
    });

    it('gives the same read models when a fresh projector resumes after a crash', async () => {
      const random = new Random(seed * 104_729);
      const crashing = await open();
      const batches = randomBatches(random, log.events);
      const crashAt = random.int(0, batches.length - 1);
      let committed = 0n;
      for (const batch of batches.slice(0, crashAt)) {
        await crashing.feed(batch);
        committed = batch[batch.length - 1]!.position;
      }
      // The process dies: half the time in the middle of the next batch, after the part of it that it had
      // committed (a batch is one transaction per delivery: what was delivered of it is in, the rest is
      // not), half the time between batches.
      const batch = batches[crashAt]!;
      if (batch.length > 1 && random.chance(0.5)) {
        const part = batch.slice(0, random.int(1, batch.length - 1));
        await crashing.feed(part);
        committed = part[part.length - 1]!.position;
        coverage.crashesMidBatch += 1;
      }
      await crashing.restart();
      // the fresh store finds exactly the checkpoints of the last committed batch
      expect(await resumePosition(crashing)).toBe(committed);
      expect(
        Object.fromEntries([...(await crashing.store.checkpoints())].map(([name, c]) => [name, c.position])),
      ).toEqual(Object.fromEntries(crashing.store.names.map((name) => [name, committed])));
      await resume(random, crashing, log.events);
      expect(await readModelState(crashing, log)).toEqual(expected);
    });

    it('gives the same read models when batches are delivered more than once', async () => {
      const random = new Random(seed * 15_485_863);
      const redelivered = await open();
      let next = 0;
      while (next < log.events.length) {
        // at-least-once: a delivery may start before what was already applied, even replay it entirely
        const rewind = random.chance(0.4) ? random.int(0, Math.min(next, 12)) : 0;
        const end = Math.min(log.events.length, next + random.int(rewind > 0 ? 0 : 1, 12));
        const batch = log.events.slice(next - rewind, end);
        await redelivered.feed(batch);
        if (random.chance(0.3)) await redelivered.feed(batch); // the very same batch again
        next = end;
      }
      // and the whole log once more at the end
      await redelivered.feed(log.events, random.int(1, 20));
      expect(await readModelState(redelivered, log)).toEqual(expected);
    });

    it('gives the same read models when read models are added later and catch up from their checkpoints', async () => {
      const random = new Random(seed * 32_452_843);
      // first only the stockpile read models; the others come with the next version of the process
      const first = [stockpilesReadModel.name, inventoryReadModel.name];
      const growing = await open(READ_MODELS.filter((model) => first.includes(model.name)));
      for (const batch of randomBatches(random, log.events)) await growing.feed(batch);
      const restarted = await growing.restart(READ_MODELS);
      const checkpoints = await restarted.checkpoints();
      expect(checkpoints.get(inventoryReadModel.name)?.position).toBe(log.head);
      expect(checkpoints.get(supplyReadModel.name)?.position).toBe(0n);
      expect(await resumePosition(growing)).toBe(0n);
      await resume(random, growing, log.events);
      expect(await readModelState(growing, log)).toEqual(expected);
    });

    it('gives the same read models when rebuilt beside the live ones and swapped in, and drops the old tables', async () => {
      const random = new Random(seed * 49_979_687);
      const live = await open();
      for (const batch of randomBatches(random, log.events)) await live.feed(batch);
      const before = await generationTables(live);
      expect(before.length).toBeGreaterThan(0);

      // pages of any size, several to a transaction or one
      const result = await rebuildReadModels(new InMemoryLogStore(log.events), live.store, {
        batchSize: random.int(1, 40),
        eventsPerTransaction: random.int(1, 120),
      });
      expect(result).toMatchObject({ position: log.head, head: log.head, events: log.events.length });
      expect(await readModelState(live, log)).toEqual(expected);
      // every table of the old generation is gone; each logical table has exactly one new generation
      const after = await generationTables(live);
      expect(after.filter((table) => before.includes(table))).toEqual([]);
      const logical = (tables: string[]) => tables.map((table) => table.replace(/_g\d+$/, '')).sort();
      expect(logical(after)).toEqual(logical(before));
    });

    it('answers the queries as a naive fold over the log does', async () => {
      for (const cut of cutsFor(log)) {
        expect(await wholeInventory(reference.db, cut)).toEqual(naiveInventory(log.events, cut));
        for (const filter of restrictionFilters(cut.asOf.slice(0, 10))) {
          expect(await queryActiveRestrictions(reference.db, filter, cut)).toEqual(
            naiveActiveRestrictions(log.events, filter, cut),
          );
        }
        for (const [country, material] of EXPOSURE_PAIRS) {
          const exposure = await queryExposure(reference.db, country, material, cut);
          expect(exposure).toEqual(naiveExposure(log.events, country, material, cut));
          if (exposure.sources.some((source) => source.restricted)) coverage.restrictedSources += 1;
          if (exposure.offtakeCoverage !== null && exposure.offtakeCoverage !== '0')
            coverage.offtakeCoverages += 1;
          if (exposure.stockpileHolding !== '0') coverage.positiveHoldings += 1;
        }
      }
      const keys = log.events
        .filter((event) => event.type === 'TradeFlowRecorded' || event.type === 'ConsumptionRecorded')
        .map((event) => {
          const { annualQuantity: _quantity, ...key } = event.data as Record<string, unknown>;
          return JSON.stringify(key);
        });
      coverage.revisedStatistics += keys.length - new Set(keys).size;
    });

    it('keeps the log digest at every milestone and at its checkpoint, as a verification from the start computes it', async () => {
      const checkpoints = logDigestCheckpoints(log.events);
      const head = checkpoints[checkpoints.length - 1]!;
      expect(await digestCheckpointBefore(reference.db, { sequence: head.sequence })).toEqual(head);
      for (const checkpoint of checkpoints.filter((c) => c.sequence % LOG_INDEX_INTERVAL === 0n)) {
        expect(await digestCheckpointBefore(reference.db, { sequence: checkpoint.sequence })).toEqual(
          checkpoint,
        );
      }
    });
  });

  it('exercised every table and every interesting case over the seeds', async () => {
    const empty = await TestReadModels.open(kind);
    const tables = Object.keys(await empty.dump());
    await empty.close();
    expect([...coverage.tablesWithRows].sort()).toEqual(tables.sort());
    expect(coverage.restrictedSources).toBeGreaterThan(0);
    expect(coverage.offtakeCoverages).toBeGreaterThan(0);
    expect(coverage.positiveHoldings).toBeGreaterThan(0);
    expect(coverage.revisedStatistics).toBeGreaterThan(0);
    expect(coverage.crashesMidBatch).toBeGreaterThan(0);
  });
});

/** The digest checkpoint after each event, as the event store's own fold computes it from the start. */
function logDigestCheckpoints(events: readonly RecordedEvent[]): DigestCheckpoint[] {
  const checkpoints: DigestCheckpoint[] = [];
  let checkpoint: DigestCheckpoint = GENESIS_CHECKPOINT;
  for (const event of events) {
    checkpoint = nextDigestCheckpoint(checkpoint, event);
    checkpoints.push(checkpoint);
  }
  return checkpoints;
}
