import { MATERIAL_CODES } from '@ledger/domain';
import type { EventToAppend, EventStore } from '@ledger/event-store';
import { newId, sealEvents } from '@ledger/event-store';
import { SeededRandom } from './seeded-random';

/**
 * A seeded generator of realistic ledger activity over 20 years (2006–2026): hundreds of projects with
 * capacity, stages, financing, offtakes and monthly deliveries; stockpiles with acquisitions, releases and
 * transfers that never overdraw; trade flows (with revisions) and consumption for dozens of importers;
 * export restrictions and lifts. Events are valid by the domain's rules, written straight to the store in
 * per-stream chunks (a benchmark fixture, not a path commands take).
 */
const IMPORTERS = [
  'JP',
  'KR',
  'DE',
  'FR',
  'IT',
  'US',
  'CA',
  'GB',
  'IN',
  'AU',
  'NL',
  'SE',
  'PL',
  'ES',
  'TW',
  'VN',
  'MX',
  'BR',
  'TR',
  'CZ',
];
const EXPORTERS = [
  'CN',
  'MZ',
  'MG',
  'BR',
  'CA',
  'AU',
  'ZA',
  'CL',
  'AR',
  'ID',
  'PH',
  'CD',
  'RU',
  'NO',
  'US',
  'IN',
];
const PRODUCERS = ['CA', 'AU', 'US', 'MZ', 'MG', 'BR', 'CL', 'AR', 'ID', 'NO', 'FI', 'SE', 'TZ', 'NA', 'CN'];
const STAGES = ['exploration', 'feasibility', 'financing', 'construction', 'commissioning', 'production'];
const INSTRUMENTS = ['equity', 'debt', 'grant', 'guarantee', 'prepayment'];

const meta = (name: string) => ({
  actor: { name, roles: ['recorder'] },
  correlationId: newId(),
  causationId: newId(),
});
const day = (year: number, month: number, dayOfMonth = 1) =>
  `${year}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
const instant = (date: string) => `${date}T00:00:00.000Z`;
const kg = (grams: bigint) => {
  const whole = grams / 1000n;
  const fraction = (grams % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return { amount: fraction ? `${whole}.${fraction}` : `${whole}`, unit: 'kg' };
};

interface Stream {
  id: string;
  events: EventToAppend[];
}

const event = (type: string, effectiveDate: string, data: unknown, actor: string): EventToAppend => ({
  eventId: newId(),
  type,
  schemaVersion: 1,
  effectiveAt: instant(effectiveDate),
  data,
  metadata: meta(actor),
});

function projectStream(random: SeededRandom, index: number, budget: number): Stream {
  const id = `p${index}`;
  const country = random.pick(PRODUCERS);
  const materials = [random.pick(MATERIAL_CODES)];
  const startYear = random.int(2006, 2016);
  const events: EventToAppend[] = [
    event(
      'ProjectRegistered',
      day(startYear, 1),
      {
        projectId: id,
        name: `Project ${index}`,
        operator: `Operator ${index % 70}`,
        country,
        materials,
        stage: 'exploration',
      },
      'agency',
    ),
  ];
  const capacity = BigInt(random.int(5_000, 60_000)) * 1_000_000n;
  events.push(
    event(
      'CapacityDeclared',
      day(startYear, 2),
      { material: materials[0], annualCapacity: kg(capacity) },
      'agency',
    ),
  );
  let stage = 0;
  for (let year = startYear + 1; year <= 2026 && stage < STAGES.length - 1; year += 2) {
    const next = Math.min(STAGES.length - 1, stage + random.int(1, 2));
    events.push(
      event('ProjectStageAdvanced', day(year, 3), { from: STAGES[stage], to: STAGES[next] }, 'agency'),
    );
    stage = next;
  }
  for (let f = 0; f < random.int(1, 4); f += 1) {
    events.push(
      event(
        'ProjectFinanced',
        day(random.int(startYear, 2026), 6),
        {
          financingId: `f${f}`,
          financier: `Financier ${random.int(1, 40)}`,
          financierCountry: random.pick(IMPORTERS),
          instrument: random.pick(INSTRUMENTS),
          amount: { amount: `${random.int(1, 500)}000000.00`, currency: 'USD' },
        },
        'agency',
      ),
    );
  }
  // Offtakes share the capacity; deliveries are monthly, which is where most of a real ledger's volume is.
  const offtakes = random.int(1, 3);
  for (let o = 0; o < offtakes && events.length < budget; o += 1) {
    const startsYear = random.int(startYear + 2, 2024);
    const years = random.int(3, 7);
    const volume = capacity / BigInt(offtakes + 1);
    const offtakeId = `o${o}`;
    events.push(
      event(
        'OfftakeSigned',
        day(startsYear - 1, 9),
        {
          offtakeId,
          buyer: `Buyer ${random.int(1, 60)}`,
          buyerCountry: random.pick(IMPORTERS),
          material: materials[0],
          annualVolume: kg(volume),
          startsOn: day(startsYear, 1),
          endsOn: day(startsYear + years, 1),
        },
        'agency',
      ),
    );
    for (let month = 0; month < years * 12 && events.length < budget; month += 1) {
      const year = startsYear + Math.floor(month / 12);
      if (year > 2026) break;
      events.push(
        event(
          'OfftakeDeliveryRecorded',
          day(year, (month % 12) + 1, 15),
          { offtakeId, quantity: kg(volume / 12n), deliveredOn: day(year, (month % 12) + 1, 15) },
          'agency',
        ),
      );
    }
  }
  return { id: `project-${id}`, events };
}

function stockpileStream(random: SeededRandom, index: number, length: number): Stream {
  const id = `s${index}`;
  const first = random.pick(IMPORTERS);
  const second = random.pick(IMPORTERS.filter((country) => country !== first));
  const events: EventToAppend[] = [
    event(
      'StockpileEstablished',
      day(2006, 1),
      {
        stockpileId: id,
        name: `Reserve ${index}`,
        custodian: `Agency ${index}`,
        participants: [
          { country: first, sharePercent: '60' },
          { country: second, sharePercent: '40' },
        ],
      },
      'agency',
    ),
  ];
  const material = random.pick(MATERIAL_CODES);
  const locations = ['north', 'south', 'port'];
  const onHand = new Map<string, bigint>(locations.map((location) => [location, 0n]));
  // Effective dates only move forward here, so a balance checked at its own date holds at every later one.
  for (let n = 1; n < length; n += 1) {
    const date = day(2006 + Math.floor((n * 20) / length), ((n * 7) % 12) + 1, (n % 27) + 1);
    const location = random.pick(locations);
    const balance = onHand.get(location)!;
    const grams = BigInt(random.int(1, 500_000)) * 1000n;
    const roll = random.next();
    if (roll < 0.6 || balance < grams) {
      onHand.set(location, balance + grams);
      events.push(
        event(
          'StockpileAcquired',
          date,
          { lotId: `l${n}`, material, quantity: kg(grams), location, originCountry: random.pick(EXPORTERS) },
          'agency',
        ),
      );
    } else if (roll < 0.85) {
      onHand.set(location, balance - grams);
      events.push(
        event(
          'StockpileReleased',
          date,
          {
            releaseId: `r${n}`,
            material,
            quantity: kg(grams),
            location,
            recipient: `Plant ${n % 50}`,
            recipientCountry: first,
            reason: 'allocation',
            authorisationRef: `AUTH-${n}`,
          },
          'agency',
        ),
      );
    } else {
      const to = random.pick(locations.filter((other) => other !== location));
      onHand.set(location, balance - grams);
      onHand.set(to, onHand.get(to)! + grams);
      events.push(
        event(
          'StockTransferred',
          date,
          { transferId: `t${n}`, material, quantity: kg(grams), fromLocation: location, toLocation: to },
          'agency',
        ),
      );
    }
  }
  return { id: `stockpile-${id}`, events };
}

function supplyStream(random: SeededRandom, importer: string): Stream {
  const events: EventToAppend[] = [];
  for (let year = 2006; year <= 2025; year += 1) {
    for (const material of MATERIAL_CODES) {
      events.push(
        event(
          'ConsumptionRecorded',
          day(year + 1, 3),
          {
            country: importer,
            material,
            year,
            annualQuantity: kg(BigInt(random.int(1_000, 200_000)) * 1_000_000n),
          },
          'statistics',
        ),
      );
      for (const exporter of EXPORTERS.filter((country) => country !== importer).slice(0, random.int(2, 6))) {
        const flow = {
          importer,
          exporter,
          material,
          year,
          annualQuantity: kg(BigInt(random.int(10, 90_000)) * 1_000_000n),
        };
        events.push(event('TradeFlowRecorded', day(year + 1, 4), flow, 'statistics'));
        // About one figure in ten is revised a year later.
        if (random.next() < 0.1)
          events.push(
            event(
              'TradeFlowRecorded',
              day(year + 2, 4),
              { ...flow, annualQuantity: kg(BigInt(random.int(10, 90_000)) * 1_000_000n) },
              'statistics',
            ),
          );
      }
    }
  }
  return { id: `supply-${importer}`, events };
}

function restrictionStreams(random: SeededRandom): Stream[] {
  return Array.from({ length: 60 }, (_, index) => {
    const imposedBy = random.pick(EXPORTERS);
    const effectiveYear = random.int(2008, 2026);
    const events = [
      event(
        'ExportRestricted',
        day(effectiveYear, 1),
        {
          restrictionId: `x${index}`,
          imposedBy,
          materials: [random.pick(MATERIAL_CODES)],
          measure: random.pick(['licensing', 'ban']),
          appliesTo:
            random.next() < 0.5 ? ['*'] : [random.pick(IMPORTERS.filter((country) => country !== imposedBy))],
          announcedOn: day(effectiveYear - 1, 11),
          effectiveFrom: day(effectiveYear, 1),
          legalReference: `Announcement ${index}`,
        },
        'agency',
      ),
    ];
    if (random.next() < 0.3 && effectiveYear < 2026)
      events.push(
        event(
          'ExportRestrictionLifted',
          day(effectiveYear + 1, 6),
          { effectiveFrom: day(effectiveYear + 1, 6) },
          'agency',
        ),
      );
    return { id: `exportRestriction-x${index}`, events };
  });
}

/** Streams whose events add up to about `target`: the shape of activity stays the same at any size. */
export function generateLedger(target: number, seed = 2026): Stream[] {
  const random = new SeededRandom(seed);
  const streams: Stream[] = [
    ...IMPORTERS.map((importer) => supplyStream(random, importer)),
    ...restrictionStreams(random),
  ];
  let total = streams.reduce((sum, stream) => sum + stream.events.length, 0);
  const projects = Math.max(20, Math.min(600, Math.floor(target / 2000)));
  const projectBudget = Math.max(10, Math.floor((target * 0.55) / projects));
  for (let p = 0; p < projects && total < target; p += 1) {
    const stream = projectStream(random, p, projectBudget);
    streams.push(stream);
    total += stream.events.length;
  }
  const stockpiles = Math.max(10, Math.min(300, Math.floor(target / 3000)));
  const perStockpile = Math.max(2, Math.ceil((target - total) / stockpiles));
  for (let s = 0; s < stockpiles && total < target; s += 1) {
    const stream = stockpileStream(random, s, Math.min(perStockpile, target - total));
    streams.push(stream);
    total += stream.events.length;
  }
  return streams;
}

/**
 * Appends the streams interleaved in chunks, as many agencies writing at once would, each chunk with its
 * expected revision. Returns the number of events written.
 */
export async function writeLedger(
  store: EventStore,
  streams: Stream[],
  chunk = 200,
  onProgress?: (written: number) => void,
): Promise<number> {
  const cursors = streams.map(() => 0);
  // The last sealed event of each stream: every chunk is hash-chained onto it, as the command handler does.
  const lastSealed = new Map<string, EventToAppend & { revision: bigint }>();
  let written = 0;
  for (let active = streams.length; active > 0;) {
    active = 0;
    for (let index = 0; index < streams.length; index += 1) {
      const stream = streams[index]!;
      const from = cursors[index]!;
      if (from >= stream.events.length) continue;
      active += 1;
      const previous = lastSealed.get(stream.id);
      const events = sealEvents(
        stream.id,
        previous && { ...previous, streamId: stream.id },
        stream.events.slice(from, from + chunk),
      );
      await store.append(stream.id, events, from === 0 ? 'no-stream' : BigInt(from - 1));
      lastSealed.set(stream.id, {
        ...events[events.length - 1]!,
        revision: BigInt(from + events.length - 1),
      });
      cursors[index] = from + events.length;
      written += events.length;
    }
    onProgress?.(written);
  }
  return written;
}
