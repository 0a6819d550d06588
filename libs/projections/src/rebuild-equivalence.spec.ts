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
import type { RecordedEvent, SqliteDatabase } from '@ledger/event-store';
import type { Bitemporal } from './bitemporal';
import { EXPOSURE_SCALES, type Exposure, queryExposure } from './exposure/exposure.queries';
import { SQLITE_READ_MODELS } from './index';
import { inventoryReadModel } from './inventory/inventory.projection';
import { type InventoryRow, queryInventory } from './inventory/inventory.queries';
import type { SqliteReadModel } from './projection';
import { queryProject } from './projects/projects.queries';
import {
  type ActiveRestriction,
  queryActiveRestrictions,
  type RestrictionFilter,
} from './restrictions/restrictions.queries';
import { stockpilesReadModel } from './stockpiles/stockpiles.projection';
import { queryStockpile } from './stockpiles/stockpiles.queries';
import {
  type DataOf,
  dumpReadModels,
  EventLog,
  type LedgerEventType,
  onDay,
  tableContents,
  TestReadModels,
  usd,
} from './testing/event-log';

/*
 * Property: however the log reaches a projector — in one batch, in batches of random sizes, across a crash
 * (even one in the middle of a batch) after which a fresh projector resumes from its checkpoints, with
 * batches delivered more than once, or to a read model added later — the read models end up identical,
 * row for row, and so do the answers of the queries. The logs are random but valid, drawn from a seeded
 * PRNG so that a failing seed can be replayed.
 */

const SEEDS = Array.from({ length: 50 }, (_, index) => index + 1);

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

/** Feeds the events after the projector's position, as a subscription resumed from its checkpoint would. */
function resume(random: Random, readModels: TestReadModels, events: readonly RecordedEvent[]): void {
  const from = readModels.projector.position();
  for (const batch of randomBatches(
    random,
    events.filter((event) => event.position > from),
  )) {
    readModels.projector.handle(batch);
  }
}

/** The read models with a crash switch: armed, a writer throws after `afterWrites` writes, mid-transaction. */
function crashableReadModels() {
  const crash = { armed: false, afterWrites: 1, writes: 0 };
  const readModels: SqliteReadModel[] = SQLITE_READ_MODELS.map((model) => ({
    ...model,
    writer(db: SqliteDatabase) {
      const write = model.writer(db);
      return (changes: unknown[]) => {
        write(changes);
        if (crash.armed && (crash.writes += 1) >= crash.afterWrites) {
          throw new Error('simulated crash in the middle of a batch');
        }
      };
    },
  }));
  return { crash, readModels };
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

function queryAnswers(db: SqliteDatabase, log: EventLog) {
  return cutsFor(log).map((cut) => ({
    cut,
    inventory: queryInventory(db, {}, cut),
    exposures: EXPOSURE_PAIRS.map(([country, material]) => queryExposure(db, country, material, cut)),
    restrictions: restrictionFilters(cut.asOf.slice(0, 10)).map((filter) =>
      queryActiveRestrictions(db, filter, cut),
    ),
    stockpiles: ['s1', 's2', 's3', 's4'].map((id) => queryStockpile(db, id, cut)),
    projects: ['p1', 'p2', 'p3', 'p4'].map((id) => queryProject(db, id, cut)),
  }));
}

/** What a database holds after the whole log: tables, checkpoints and the queries' answers. */
function readModelState(readModels: TestReadModels, log: EventLog) {
  return {
    position: readModels.projector.position(),
    checkpoints: tableContents(readModels.db, 'projection_checkpoints'),
    tables: dumpReadModels(readModels.db),
    answers: queryAnswers(readModels.db, log),
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
): ActiveRestriction[] {
  const measures = new Map<string, ActiveRestriction>();
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

/** Evidence that the generator reaches every table and every interesting case, summed over the seeds. */
const coverage = {
  tablesWithRows: new Set<string>(),
  restrictedSources: 0,
  offtakeCoverages: 0,
  positiveHoldings: 0,
  revisedStatistics: 0,
  crashesMidBatch: 0,
};

describe('Rebuilding the read models', () => {
  describe.each(SEEDS)('from the random log of seed %i', (seed) => {
    const log = generateLog(new Random(seed));
    let reference: TestReadModels;
    let expected: ReturnType<typeof readModelState>;
    const opened: TestReadModels[] = [];
    const open = (readModels?: SqliteReadModel[]) => {
      const created = new TestReadModels(readModels);
      opened.push(created);
      return created;
    };

    beforeAll(() => {
      // the reference: a fresh database that got the whole log in one batch
      reference = open();
      reference.feed(log.events);
      expected = readModelState(reference, log);
      expect(expected.position).toBe(log.head);
      for (const [table, rows] of Object.entries(expected.tables)) {
        if (rows.length > 0) coverage.tablesWithRows.add(table);
      }
    });
    afterAll(() => opened.forEach((readModels) => readModels.close()));

    it('gives the same read models when fed in batches of random sizes', () => {
      const random = new Random(seed * 7919);
      const batched = open();
      for (const batch of randomBatches(random, log.events)) batched.projector.handle(batch);
      expect(readModelState(batched, log)).toEqual(expected);
    });

    it('gives the same read models when a fresh projector resumes after a crash', () => {
      const random = new Random(seed * 104_729);
      const { crash, readModels } = crashableReadModels();
      const crashing = open(readModels);
      const batches = randomBatches(random, log.events);
      const crashAt = random.int(0, batches.length - 1);
      let committed = 0n;
      for (const batch of batches.slice(0, crashAt)) {
        crashing.projector.handle(batch);
        committed = batch[batch.length - 1]!.position;
      }
      // the process dies: half the time inside the next batch's transaction, half the time between batches
      const batch = batches[crashAt]!;
      if (random.chance(0.5)) {
        Object.assign(crash, { armed: true, afterWrites: random.int(1, 5), writes: 0 });
        try {
          crashing.projector.handle(batch);
          committed = batch[batch.length - 1]!.position; // it wrote too few read models to reach the crash
        } catch (error) {
          expect((error as Error).message).toBe('simulated crash in the middle of a batch');
          coverage.crashesMidBatch += 1;
        }
      }
      const restarted = crashing.restart();
      // the fresh projector finds exactly the checkpoints of the last committed batch
      expect(restarted.position()).toBe(committed);
      expect([...restarted.checkpointsByReadModel().values()]).toEqual(
        SQLITE_READ_MODELS.map(() => committed),
      );
      resume(random, crashing, log.events);
      expect(readModelState(crashing, log)).toEqual(expected);
    });

    it('gives the same read models when batches are delivered more than once', () => {
      const random = new Random(seed * 15_485_863);
      const redelivered = open();
      let next = 0;
      while (next < log.events.length) {
        // at-least-once: a delivery may start before what was already applied, even replay it entirely
        const rewind = random.chance(0.4) ? random.int(0, Math.min(next, 12)) : 0;
        const end = Math.min(log.events.length, next + random.int(rewind > 0 ? 0 : 1, 12));
        const batch = log.events.slice(next - rewind, end);
        redelivered.projector.handle(batch);
        if (random.chance(0.3)) redelivered.projector.handle(batch); // the very same batch again
        next = end;
      }
      // and the whole log once more at the end
      redelivered.feed(log.events, random.int(1, 20));
      expect(readModelState(redelivered, log)).toEqual(expected);
    });

    it('gives the same read models when read models are added later and catch up from their checkpoints', () => {
      const random = new Random(seed * 32_452_843);
      // first only the stockpile read models; the others come with the next version of the process
      const first = [stockpilesReadModel.name, inventoryReadModel.name];
      const growing = open(SQLITE_READ_MODELS.filter((model) => first.includes(model.name)));
      for (const batch of randomBatches(random, log.events)) growing.projector.handle(batch);
      const restarted = growing.restart(SQLITE_READ_MODELS);
      expect(restarted.checkpointsByReadModel().get(inventoryReadModel.name)).toBe(log.head);
      expect(restarted.checkpointsByReadModel().get('supply_v1')).toBe(0n);
      expect(restarted.position()).toBe(0n);
      resume(random, growing, log.events);
      expect(readModelState(growing, log)).toEqual(expected);
    });

    it('answers the queries as a naive fold over the log does', () => {
      for (const cut of cutsFor(log)) {
        expect(queryInventory(reference.db, {}, cut)).toEqual(naiveInventory(log.events, cut));
        for (const filter of restrictionFilters(cut.asOf.slice(0, 10))) {
          expect(queryActiveRestrictions(reference.db, filter, cut)).toEqual(
            naiveActiveRestrictions(log.events, filter, cut),
          );
        }
        for (const [country, material] of EXPOSURE_PAIRS) {
          const exposure = queryExposure(reference.db, country, material, cut);
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
  });

  it('exercised every table and every interesting case over the seeds', () => {
    const empty = new TestReadModels();
    const tables = Object.keys(dumpReadModels(empty.db));
    empty.close();
    expect([...coverage.tablesWithRows].sort()).toEqual(tables.sort());
    expect(coverage.restrictedSources).toBeGreaterThan(0);
    expect(coverage.offtakeCoverages).toBeGreaterThan(0);
    expect(coverage.positiveHoldings).toBeGreaterThan(0);
    expect(coverage.revisedStatistics).toBeGreaterThan(0);
    expect(coverage.crashesMidBatch).toBeGreaterThan(0);
  });
});
