import type { RecordedEvent, Upcasters } from '@ledger/event-store';
import { EventLog, InMemoryLogStore, onDay, STORE_KINDS, TestReadModels, tonnes } from '../testing/event-log';
import { queryInventory } from './inventory/inventory.queries';
import { EventProjector } from './projector/projected-events';
import { rebuildReadModels } from './projector/rebuild';

/*
 * A new shape of a stored event gets a schema version and an upcaster; the projector upcasts every event
 * once, with the same upcasters as the command handler, before any projection sees it. Here today's
 * `StockpileAcquired` plays version 2, and a version 1 with other field names was stored before it.
 */

/** The version 1 shape: a lot, a mass in grams and a site. */
interface AcquiredV1 {
  lot: string;
  material: string;
  grams: string;
  site: string;
  originCountry: string;
}

const UPCASTERS: Upcasters = {
  'StockpileAcquired@1': (data) => {
    const v1 = data as AcquiredV1;
    return {
      lotId: v1.lot,
      material: v1.material,
      quantity: { amount: v1.grams, unit: 'g' },
      location: v1.site,
      originCountry: v1.originCountry,
    };
  },
};

/** A log with one acquisition stored in version 1 and one in today's shape, as version 2. */
function logWithTwoVersions(): RecordedEvent[] {
  const log = new EventLog('2026-01-01');
  log.establishStockpile('reserve', { JP: '100' }, { effectiveAt: '2026-01-02' });
  const old = log.acquire('reserve', 'gallium', tonnes('1'), 'Tsukuba', { effectiveAt: '2026-01-03' });
  log.acquire('reserve', 'gallium', tonnes('2'), 'Tsukuba', { effectiveAt: '2026-01-04' });
  return log.events.map((event) =>
    event === old
      ? {
          ...event,
          schemaVersion: 1,
          data: {
            lot: 'lot-v1',
            material: 'gallium',
            grams: '1000000',
            site: 'Tsukuba',
            originCountry: 'CA',
          },
        }
      : event.type === 'StockpileAcquired'
        ? { ...event, schemaVersion: 2 }
        : event,
  );
}

describe.each(STORE_KINDS)('Upcasting on %s', (kind) => {
  let readModels: TestReadModels;

  beforeEach(async () => {
    readModels = await TestReadModels.open(kind);
  });
  afterEach(async () => {
    await readModels.close();
  });

  const inventory = async () =>
    (await queryInventory(readModels.db, {}, { asOf: onDay('2026-06-01') }, { limit: 10 })).items;

  it('projects an event stored in an older shape as its upcaster lifts it', async () => {
    const events = logWithTwoVersions();
    await readModels.store.apply(new EventProjector('', UPCASTERS).project(events));
    expect(await inventory()).toEqual([
      expect.objectContaining({
        stockpileId: 'reserve',
        location: 'Tsukuba',
        acquired: '3000',
        onHand: '3000',
      }),
    ]);
  });

  it('rebuilds the same read models through the same upcasters', async () => {
    const events = logWithTwoVersions();
    await readModels.store.apply(new EventProjector('', UPCASTERS).project(events));
    const live = await readModels.dump();
    await rebuildReadModels(new InMemoryLogStore(events), readModels.store, { upcasters: UPCASTERS });
    expect(await readModels.dump()).toEqual(live);
  });

  it('without the upcaster the old shape is not understood: the inventory stops on it, and says where', async () => {
    const events = logWithTwoVersions();
    const failures = await readModels.store.apply(new EventProjector().project(events));
    expect(failures).toEqual([
      expect.objectContaining({ model: 'inventory_v2', position: events[1]!.position }),
    ]);
  });
});
