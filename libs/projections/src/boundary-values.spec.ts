import {
  type Instant,
  MAX_TEXT_LENGTH,
  Money,
  parseCountry,
  parseMaterial,
  parseText,
  projectDecider,
  projectStreamId,
  Quantity,
  stockpileDecider,
  stockpileStreamId,
  supplyDecider,
  supplyStreamId,
} from '@ledger/domain';
import {
  CommandHandler,
  openSqliteDatabase,
  type SqliteDatabase,
  SqliteEventStore,
} from '@ledger/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORE_KINDS, TestReadModels } from '../testing/event-log';
import { queryExposure } from './exposure/exposure.queries';
import { allInventoryBalances, onHandGrams } from './inventory/inventory.queries';
import { queryProject } from './projects/projects.queries';
import { EventProjector } from './projector/projected-events';
import { rebuildReadModels } from './projector/rebuild';

/*
 * Property: whatever valid values a command carries — the smallest and the largest the domain accepts,
 * text at its length limit in any script, maximal amounts of money, and enough maximal quantities in one
 * balance that their sum passes 2^63 grams — it goes through the command handler into the store, through every projection, and
 * through a rebuild, and nothing throws: the live read models equal the rebuilt ones, and the sums are exact.
 */

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const COMMANDS = 120;
const NOW = '2026-06-01T00:00:00.000Z' as Instant;

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

/** The largest quantity, the smallest, and ordinary ones, in every unit. */
const QUANTITIES = [
  { amount: '1000000000', unit: 't' },
  { amount: '1000000000000', unit: 'kg' },
  { amount: '1000000000000000', unit: 'g' },
  { amount: '1', unit: 'g' },
  { amount: '0.001', unit: 'kg' },
  { amount: '0.000001', unit: 't' },
  { amount: '999999999.999999', unit: 't' },
  { amount: '12.5', unit: 't' },
];

/** The largest amounts (10^15 major units) in currencies of 0, 2 and 3 minor digits, and the smallest. */
const MONEY = [
  { amount: '1000000000000000', currency: 'JPY' },
  { amount: '1000000000000000.00', currency: 'USD' },
  { amount: '1000000000000000.000', currency: 'BHD' },
  { amount: '0.01', currency: 'USD' },
  { amount: '0.001', currency: 'BHD' },
];

/** Text at the limit in several scripts, combining marks (stored as NFC) and blanks to trim. */
const TEXTS = [
  'x'.repeat(MAX_TEXT_LENGTH),
  '漢'.repeat(MAX_TEXT_LENGTH),
  '😀'.repeat(MAX_TEXT_LENGTH),
  `  ${'e\u0301'.repeat(MAX_TEXT_LENGTH)}  `,
  'Bécancour',
  '=SUM(A1)',
];

describe.each(STORE_KINDS)('Boundary values from command to rebuild on %s', (kind) => {
  let folder: string;
  let db: SqliteDatabase;
  let store: SqliteEventStore;
  let readModels: TestReadModels;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ledger-boundaries-'));
    db = openSqliteDatabase(join(folder, 'ledger.sqlite'));
    store = new SqliteEventStore(db);
    readModels = await TestReadModels.open(kind);
  });
  afterEach(async () => {
    await readModels.close();
    db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it.each(kind === 'sqlite' ? SEEDS : SEEDS.slice(0, 2))(
    'projects and rebuilds every accepted command exactly, for seed %i',
    async (seed) => {
      const random = mulberry32(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const handler = new CommandHandler(store);
      const context = { actor: { name: 'property', roles: ['admin'] }, correlationId: `seed-${seed}` };
      const text = (field: string) => parseText(pick(TEXTS), field);
      const at = (day: string) => `${day}T00:00:00.000Z` as Instant;

      await handler.handle({
        decider: stockpileDecider,
        streamId: stockpileStreamId('reserve'),
        context,
        command: {
          type: 'EstablishStockpile',
          stockpileId: 'reserve',
          effectiveAt: at('2026-01-01'),
          now: NOW,
          name: text('name'),
          custodian: text('custodian'),
          participants: [
            { country: parseCountry('JP'), sharePercent: '33.3333' },
            { country: parseCountry('CA'), sharePercent: '66.6667' },
          ],
        },
      });
      await handler.handle({
        decider: projectDecider,
        streamId: projectStreamId('plant'),
        context,
        command: {
          type: 'RegisterProject',
          projectId: 'plant',
          effectiveAt: at('2026-01-01'),
          now: NOW,
          name: text('name'),
          operator: text('operator'),
          country: parseCountry('CA'),
          materials: [parseMaterial('gallium')],
          stage: 'construction',
        },
      });
      const expected = new Map<string, bigint>();
      let accepted = 0;
      for (let index = 0; index < COMMANDS; index += 1) {
        const choice = random();
        if (choice < 0.6) {
          const location = pick(['Tsukuba', 'Yokohama', TEXTS[2]!]);
          const quantity = Quantity.parse(pick(QUANTITIES));
          await handler.handle({
            decider: stockpileDecider,
            streamId: stockpileStreamId('reserve'),
            context,
            command: {
              type: 'AcquireStock',
              stockpileId: 'reserve',
              // effective on the day the stockpile began, or five minutes after it is recorded: both bounds
              effectiveAt: random() < 0.5 ? at('2026-01-01') : ('2026-06-01T00:05:00.000Z' as Instant),
              now: NOW,
              lotId: `lot-${index}`,
              material: parseMaterial('gallium'),
              quantity,
              location: parseText(location, 'location'),
              originCountry: parseCountry('CA'),
              cost: Money.parse({ amount: '1000000000000000.00', currency: 'USD' }),
            },
          });
          const key = parseText(location, 'location');
          expected.set(key, (expected.get(key) ?? 0n) + quantity.grams);
        } else if (choice < 0.8) {
          await handler.handle({
            decider: supplyDecider,
            streamId: supplyStreamId('JP'),
            context,
            command: {
              type: 'RecordTradeFlow',
              effectiveAt: NOW,
              importer: parseCountry('JP'),
              exporter: parseCountry(pick(['CN', 'CA', 'US'])),
              material: parseMaterial('gallium'),
              year: pick([1900, 2025, 2100]),
              annualQuantity: Quantity.parse(pick(QUANTITIES)),
            },
          });
        } else {
          await handler.handle({
            decider: projectDecider,
            streamId: projectStreamId('plant'),
            context,
            command: {
              type: 'FinanceProject',
              projectId: 'plant',
              effectiveAt: at('2026-01-01'),
              now: NOW,
              financingId: `financing-${index}`,
              financier: text('financier'),
              financierCountry: parseCountry('JP'),
              instrument: 'debt',
              amount: Money.parse(pick(MONEY)),
            },
          });
        }
        accepted += 1;
      }
      expect(accepted).toBe(COMMANDS);

      // every projection takes every event, in batches as a projector would meet them
      const log = await store.readAll({ limit: 10_000 });
      const projector = new EventProjector();
      for (let start = 0; start < log.length; start += 17) {
        expect(await readModels.store.apply(projector.project(log.slice(start, start + 17)))).toEqual([]);
      }
      const live = await readModels.dump();
      const cut = { asOf: '2026-12-31T00:00:00.000Z' };
      const balances = await allInventoryBalances(readModels.db, { stockpileIds: ['reserve'] }, cut);
      expect(new Map(balances.map((b) => [b.location, onHandGrams(b.totals)]))).toEqual(expected);
      const exposure = await queryExposure(readModels.db, 'JP', 'gallium', cut);
      const project = await queryProject(readModels.db, 'plant', cut);
      expect(project?.financings.length).toBeGreaterThan(0);

      await rebuildReadModels(store, readModels.store);
      expect(await readModels.dump()).toEqual(live);
      expect(await queryExposure(readModels.db, 'JP', 'gallium', cut)).toEqual(exposure);
    },
    60_000,
  );

  it('keeps a balance exact past 2^63 grams: 9,300 acquisitions of the largest quantity', async () => {
    const handler = new CommandHandler(store, { maxQueuedPerStream: 10_000 });
    const context = { actor: { name: 'property', roles: ['admin'] }, correlationId: 'big' };
    await handler.handle({
      decider: stockpileDecider,
      streamId: stockpileStreamId('reserve'),
      context,
      command: {
        type: 'EstablishStockpile',
        stockpileId: 'reserve',
        effectiveAt: '2026-01-01T00:00:00.000Z' as Instant,
        now: NOW,
        name: 'Reserve',
        custodian: 'JOGMEC',
        participants: [{ country: parseCountry('JP'), sharePercent: '100' }],
      },
    });
    const largest = Quantity.parse({ amount: '1000000000', unit: 't' });
    const lots = 9_300;
    await Promise.all(
      Array.from({ length: lots }, (_unused, index) =>
        handler.handle({
          decider: stockpileDecider,
          streamId: stockpileStreamId('reserve'),
          context,
          command: {
            type: 'AcquireStock',
            stockpileId: 'reserve',
            effectiveAt: '2026-02-01T00:00:00.000Z' as Instant,
            now: NOW,
            lotId: `lot-${index}`,
            material: parseMaterial('gallium'),
            quantity: largest,
            location: 'Tsukuba',
            originCountry: parseCountry('CA'),
          },
        }),
      ),
    );
    const log = await store.readAll({ limit: 100_000 });
    expect(await readModels.store.apply(new EventProjector().project(log))).toEqual([]);
    const [balance] = await allInventoryBalances(readModels.db, {}, { asOf: '2026-12-31T00:00:00.000Z' });
    const total = BigInt(lots) * 10n ** 15n;
    expect(total > 2n ** 63n).toBe(true);
    expect(onHandGrams(balance!.totals)).toBe(total);
    // summed from the movements too (a cut before the last ones), not only the running total
    const [earlier] = await allInventoryBalances(
      readModels.db,
      {},
      {
        asOf: '2026-12-31T00:00:00.000Z',
        knownAt: { position: BigInt(lots) },
      },
    );
    expect(onHandGrams(earlier!.totals)).toBe(BigInt(lots - 1) * 10n ** 15n);
  }, 120_000);
});
