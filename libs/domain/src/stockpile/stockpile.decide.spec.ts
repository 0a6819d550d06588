import { fold } from '../shared/decider';
import { deciderSpec } from '../testing/decider-spec';
import { type Country, parseCountry } from '../values/country';
import { type Instant, parseInstant } from '../values/instant';
import type { Material } from '../values/material';
import { Money } from '../values/money';
import { Quantity } from '../values/quantity';
import type {
  AcquireStock,
  EstablishStockpile,
  ReleaseStock,
  StockpileCommand,
  TransferStock,
} from './stockpile.commands';
import { stockpileDecider } from './stockpile.decide';
import type {
  StockpileAcquired,
  StockpileEstablished,
  StockpileEvent,
  StockpileReleased,
  StockTransferred,
} from './stockpile.events';

const spec = deciderSpec(stockpileDecider);

const STOCKPILE = 'jp-ca-graphite';
const FLAKE: Material = 'graphite-flake';
const GALLIUM: Material = 'gallium';

const at = (text: string): Instant => parseInstant(text, 'effectiveAt');
const country = (code: string): Country => parseCountry(code);
const kg = (amount: string): Quantity => Quantity.parse({ amount, unit: 'kg' });
/** When the commands are recorded: after every effective time used here. */
const NOW = at('2026-11-30T12:00:00Z');

// ---- commands ----

const establish = (overrides: Partial<EstablishStockpile> = {}): EstablishStockpile => ({
  type: 'EstablishStockpile',
  stockpileId: STOCKPILE,
  effectiveAt: at('2026-01-01'),
  now: NOW,
  name: 'Joint graphite reserve',
  custodian: 'JOGMEC',
  participants: [
    { country: country('JP'), sharePercent: '60' },
    { country: country('CA'), sharePercent: '40' },
  ],
  ...overrides,
});

const shares = (...pairs: [string, string][]): EstablishStockpile['participants'] =>
  pairs.map(([code, sharePercent]) => ({ country: country(code), sharePercent }));

const acquire = (overrides: Partial<AcquireStock> = {}): AcquireStock => ({
  type: 'AcquireStock',
  stockpileId: STOCKPILE,
  effectiveAt: at('2026-02-01'),
  now: NOW,
  lotId: 'lot-new',
  material: FLAKE,
  quantity: kg('100'),
  location: 'yokohama',
  originCountry: country('MZ'),
  ...overrides,
});

const release = (overrides: Partial<ReleaseStock> = {}): ReleaseStock => ({
  type: 'ReleaseStock',
  stockpileId: STOCKPILE,
  effectiveAt: at('2026-03-01'),
  now: NOW,
  releaseId: 'rel-new',
  material: FLAKE,
  quantity: kg('10'),
  location: 'yokohama',
  recipient: 'Panasonic Energy',
  recipientCountry: country('JP'),
  reason: 'supply disruption',
  authorisationRef: 'METI-2026-001',
  ...overrides,
});

const transfer = (overrides: Partial<TransferStock> = {}): TransferStock => ({
  type: 'TransferStock',
  stockpileId: STOCKPILE,
  effectiveAt: at('2026-03-01'),
  now: NOW,
  transferId: 'tr-new',
  material: FLAKE,
  quantity: kg('10'),
  fromLocation: 'yokohama',
  toLocation: 'kobe',
  ...overrides,
});

// ---- stored events (quantities in canonical kilograms, as the decider writes them) ----

const established: StockpileEstablished = {
  type: 'StockpileEstablished',
  effectiveAt: at('2026-01-01'),
  data: {
    stockpileId: STOCKPILE,
    name: 'Joint graphite reserve',
    custodian: 'JOGMEC',
    participants: [
      { country: 'JP', sharePercent: '60' },
      { country: 'CA', sharePercent: '40' },
    ],
  },
};

interface Where {
  material?: string;
  location?: string;
}

const acquired = (
  lotId: string,
  kilograms: string,
  effectiveAt: string,
  where: Where = {},
): StockpileAcquired => ({
  type: 'StockpileAcquired',
  effectiveAt: at(effectiveAt),
  data: {
    lotId,
    material: where.material ?? FLAKE,
    quantity: { amount: kilograms, unit: 'kg' },
    location: where.location ?? 'yokohama',
    originCountry: 'MZ',
  },
});

const released = (
  releaseId: string,
  kilograms: string,
  effectiveAt: string,
  where: Where = {},
): StockpileReleased => ({
  type: 'StockpileReleased',
  effectiveAt: at(effectiveAt),
  data: {
    releaseId,
    material: where.material ?? FLAKE,
    quantity: { amount: kilograms, unit: 'kg' },
    location: where.location ?? 'yokohama',
    recipient: 'Panasonic Energy',
    recipientCountry: 'JP',
    reason: 'supply disruption',
    authorisationRef: 'METI-2026-001',
  },
});

const transferred = (
  transferId: string,
  kilograms: string,
  effectiveAt: string,
  fromLocation: string,
  toLocation: string,
  material: string = FLAKE,
): StockTransferred => ({
  type: 'StockTransferred',
  effectiveAt: at(effectiveAt),
  data: { transferId, material, quantity: { amount: kilograms, unit: 'kg' }, fromLocation, toLocation },
});

/** The usual starting point: 100 kg of flake at yokohama since 10 January. */
const withHundredKilograms: StockpileEvent[] = [established, acquired('lot-1', '100', '2026-01-10')];

type Participants = EstablishStockpile['participants'];
type RecordedShares = StockpileEstablished['data']['participants'];

describe('Stockpile', () => {
  describe('when establishing', () => {
    it.each<[string, Participants, RecordedShares]>([
      [
        'records the stockpile with its name, custodian and participants',
        shares(['JP', '60'], ['CA', '40']),
        [
          { country: 'JP', sharePercent: '60' },
          { country: 'CA', sharePercent: '40' },
        ],
      ],
      [
        'accepts a single participant holding 100 percent',
        shares(['JP', '100']),
        [{ country: 'JP', sharePercent: '100' }],
      ],
      [
        'accepts decimal shares that add up to exactly 100',
        shares(['JP', '33.3333'], ['CA', '33.3333'], ['AU', '33.3334']),
        [
          { country: 'JP', sharePercent: '33.3333' },
          { country: 'CA', sharePercent: '33.3333' },
          { country: 'AU', sharePercent: '33.3334' },
        ],
      ],
    ])('%s', (_case, participants, recorded) => {
      spec
        .given([])
        .when(establish({ participants }))
        .then([
          {
            type: 'StockpileEstablished',
            effectiveAt: at('2026-01-01'),
            data: {
              stockpileId: STOCKPILE,
              name: 'Joint graphite reserve',
              custodian: 'JOGMEC',
              participants: recorded,
            },
          },
        ]);
    });

    it.each<[string, Participants]>([
      [
        'shares that fall short of 100 by the smallest step',
        shares(['JP', '33.3333'], ['CA', '33.3333'], ['AU', '33.3333']),
      ],
      ['shares that add up to more than 100', shares(['JP', '60'], ['CA', '50'])],
      ['a lone participant holding less than 100 percent', shares(['JP', '99.9999'])],
    ])('refuses %s', (_case, participants) => {
      spec.given([]).when(establish({ participants })).thenFails('shares-not-100');
    });

    it.each<[string, Participants]>([
      ['even when the shares add up to 100', shares(['JP', '50'], ['JP', '50'])],
      ['among others', shares(['JP', '40'], ['CA', '30'], ['JP', '30'])],
    ])('refuses a country taking part twice, %s', (_case, participants) => {
      spec.given([]).when(establish({ participants })).thenFails('duplicate-participant');
    });

    it.each<[string, Participants, string, string]>([
      ['a stockpile without participants', [], 'validation-failed', 'participants'],
      [
        'a zero share',
        shares(['JP', '100'], ['CA', '0']),
        'validation-failed',
        'participants[1].sharePercent',
      ],
      ['a share above 100', shares(['JP', '100.0001']), 'validation-failed', 'participants[0].sharePercent'],
      [
        'a share with more than four decimal places',
        shares(['JP', '33.33333'], ['CA', '66.66667']),
        'precision-exceeded',
        'participants[0].sharePercent',
      ],
    ])('refuses %s, naming the field', (_case, participants, code, field) => {
      spec.given([]).when(establish({ participants })).thenFails(code, { field });
    });

    it.each([['50%'], ['-50'], ['5e1'], [' 50'], ['']])('refuses the malformed share %p', (share) => {
      spec
        .given([])
        .when(establish({ participants: shares(['JP', '50'], ['CA', share]) }))
        .thenFails('validation-failed', { field: 'participants[1].sharePercent' });
    });

    it('refuses establishing a stockpile that already exists', () => {
      spec.given([established]).when(establish()).thenFails('conflict', { kind: 'conflict' });
    });
  });

  describe('when acquiring', () => {
    it.each<[string, Partial<AcquireStock>, Partial<StockpileAcquired['data']>]>([
      [
        'records the lot in canonical kilograms, with its cost in its own currency',
        {
          quantity: Quantity.parse({ amount: '18000', unit: 't' }),
          cost: Money.parse({ amount: '25000000', currency: 'USD' }),
        },
        { quantity: { amount: '18000000', unit: 'kg' }, cost: { amount: '25000000.00', currency: 'USD' } },
      ],
      [
        'writes a quantity given in grams as canonical kilograms without trailing zeros',
        { quantity: Quantity.parse({ amount: '1230', unit: 'g' }) },
        { quantity: { amount: '1.23', unit: 'kg' } },
      ],
    ])('%s', (_case, given, recorded) => {
      spec
        .given([established])
        .when(acquire({ lotId: 'lot-1', ...given }))
        .then([
          {
            type: 'StockpileAcquired',
            effectiveAt: at('2026-02-01'),
            data: {
              lotId: 'lot-1',
              material: 'graphite-flake',
              quantity: { amount: '100', unit: 'kg' },
              location: 'yokohama',
              originCountry: 'MZ',
              ...recorded,
            },
          },
        ]);
    });

    it('omits the cost altogether when none is given', () => {
      const [event] = stockpileDecider.decide(
        acquire({ lotId: 'lot-1' }),
        fold(stockpileDecider, [established]),
      );
      expect(event?.data).not.toHaveProperty('cost');
      expect(event).toStrictEqual({
        type: 'StockpileAcquired',
        effectiveAt: at('2026-02-01'),
        data: {
          lotId: 'lot-1',
          material: 'graphite-flake',
          quantity: { amount: '100', unit: 'kg' },
          location: 'yokohama',
          originCountry: 'MZ',
        },
      });
    });

    it('refuses acquiring into a stockpile that was never established', () => {
      spec.given([]).when(acquire()).thenFails('not-found', { kind: 'not-found' });
    });

    it('refuses a lot id already used in the stockpile', () => {
      spec
        .given(withHundredKilograms)
        .when(acquire({ lotId: 'lot-1', location: 'kobe', material: GALLIUM }))
        .thenFails('conflict');
    });

    it('accepts a lot back-dated before the stockpile’s other movements', () => {
      spec
        .given([established, acquired('lot-1', '100', '2026-03-01')])
        .when(acquire({ lotId: 'lot-2', effectiveAt: at('2026-01-15'), quantity: kg('5') }))
        .then([
          {
            type: 'StockpileAcquired',
            effectiveAt: at('2026-01-15'),
            data: {
              lotId: 'lot-2',
              material: 'graphite-flake',
              quantity: { amount: '5', unit: 'kg' },
              location: 'yokohama',
              originCountry: 'MZ',
            },
          },
        ]);
    });
  });

  describe('when releasing', () => {
    it('records the release in canonical kilograms', () => {
      spec
        .given([established, acquired('lot-1', '18000000', '2026-01-10')])
        .when(release({ releaseId: 'rel-1', quantity: Quantity.parse({ amount: '2.5', unit: 't' }) }))
        .then([
          {
            type: 'StockpileReleased',
            effectiveAt: at('2026-03-01'),
            data: {
              releaseId: 'rel-1',
              material: 'graphite-flake',
              quantity: { amount: '2500', unit: 'kg' },
              location: 'yokohama',
              recipient: 'Panasonic Energy',
              recipientCountry: 'JP',
              reason: 'supply disruption',
              authorisationRef: 'METI-2026-001',
            },
          },
        ]);
    });

    it.each<[string, StockpileEvent[], ReleaseStock, StockpileReleased]>([
      [
        'releases the whole balance, leaving exactly zero on hand',
        withHundredKilograms,
        release({ releaseId: 'rel-1', quantity: Quantity.parse({ amount: '100000', unit: 'g' }) }),
        released('rel-1', '100', '2026-03-01'),
      ],
      [
        'adds up several lots at one location',
        [established, acquired('lot-1', '60', '2026-01-10'), acquired('lot-2', '40', '2026-01-20')],
        release({ releaseId: 'rel-1', quantity: kg('100') }),
        released('rel-1', '100', '2026-03-01'),
      ],
      [
        'accepts a back-dated release that leaves every later balance at or above zero',
        [...withHundredKilograms, released('rel-1', '80', '2026-03-01')],
        release({ releaseId: 'rel-2', effectiveAt: at('2026-02-01'), quantity: kg('20') }),
        released('rel-2', '20', '2026-02-01'),
      ],
      [
        'accepts a release after the replenishment that follows an emptied balance',
        [
          ...withHundredKilograms,
          released('rel-1', '100', '2026-03-01'),
          acquired('lot-2', '100', '2026-04-01'),
        ],
        release({ releaseId: 'rel-2', effectiveAt: at('2026-04-15'), quantity: kg('100') }),
        released('rel-2', '100', '2026-04-15'),
      ],
      [
        'counts an acquisition and a release at the same instant together',
        [established, acquired('lot-1', '100', '2026-03-01')],
        release({ releaseId: 'rel-1', effectiveAt: at('2026-03-01'), quantity: kg('100') }),
        released('rel-1', '100', '2026-03-01'),
      ],
      // On Mar 1, 100 kg leave and 100 kg arrive (the release was recorded first). Taken together the
      // balance never dips, so 50 kg may leave on Feb 1.
      [
        'treats movements at one later instant as a single change of balance, whatever order they were recorded in',
        [
          ...withHundredKilograms,
          released('rel-1', '100', '2026-03-01'),
          acquired('lot-2', '100', '2026-03-01'),
        ],
        release({ releaseId: 'rel-2', effectiveAt: at('2026-02-01'), quantity: kg('50') }),
        released('rel-2', '50', '2026-02-01'),
      ],
    ])('%s', (_case, history, command, recorded) => {
      spec.given(history).when(command).then([recorded]);
    });

    it.each<[string, StockpileEvent[], ReleaseStock]>([
      [
        'refuses releasing one gram more than is on hand',
        withHundredKilograms,
        release({ quantity: kg('100.001') }),
      ],
      [
        'takes earlier releases into account',
        [...withHundredKilograms, released('rel-1', '95', '2026-02-01')],
        release({ quantity: kg('6') }),
      ],
      [
        'refuses releasing at a location that holds none of the material',
        [established, acquired('lot-1', '100', '2026-01-10', { location: 'yokohama' })],
        release({ location: 'kobe', quantity: kg('1') }),
      ],
      [
        'refuses releasing a material the location does not hold',
        [established, acquired('lot-1', '100', '2026-01-10', { material: FLAKE })],
        release({ material: GALLIUM, quantity: kg('1') }),
      ],
      [
        'refuses a release back-dated before the acquisition',
        [established, acquired('lot-1', '100', '2026-03-01')],
        release({ effectiveAt: at('2026-02-01'), quantity: kg('1') }),
      ],
      [
        'refuses a release one millisecond before the stock arrives',
        [established, acquired('lot-1', '100', '2026-03-01')],
        release({ effectiveAt: at('2026-02-28T23:59:59.999Z'), quantity: kg('1') }),
      ],
      // 2026-03-01T08:00+09:00 is 2026-02-28T23:00Z: before the stock arrived at midnight UTC.
      [
        'compares effective times as instants, whatever offset the command was given in',
        [established, acquired('lot-1', '100', '2026-03-01')],
        release({ effectiveAt: at('2026-03-01T08:00:00+09:00'), quantity: kg('1') }),
      ],
      // On 2026-02-01 there are 100 kg, but 80 kg leave on 2026-03-01: releasing 30 kg on 2026-02-01
      // would leave -10 kg from 2026-03-01 on.
      [
        'refuses a back-dated release that a later release already relied on, though its own date has enough',
        [...withHundredKilograms, released('rel-1', '80', '2026-03-01')],
        release({ effectiveAt: at('2026-02-01'), quantity: kg('30') }),
      ],
      // Balance: 100 from Jan 10, 0 from Mar 1, 100 from Apr 1. A 10 kg release on Feb 1 makes Mar 1 negative.
      [
        'refuses a back-dated release that would overdraw a later date even if stock is replenished after it',
        [
          ...withHundredKilograms,
          released('rel-1', '100', '2026-03-01'),
          acquired('lot-2', '100', '2026-04-01'),
        ],
        release({ effectiveAt: at('2026-02-01'), quantity: kg('10') }),
      ],
      [
        'refuses a release dated between an emptying release and the next acquisition',
        [
          ...withHundredKilograms,
          released('rel-1', '100', '2026-03-01'),
          acquired('lot-2', '100', '2026-04-01'),
        ],
        release({ effectiveAt: at('2026-03-15'), quantity: kg('1') }),
      ],
      [
        'refuses a second release at the same instant as one that already emptied the balance',
        [...withHundredKilograms, released('rel-1', '100', '2026-03-01')],
        release({ effectiveAt: at('2026-03-01'), quantity: kg('1') }),
      ],
      // As the single change of balance above, but the replenishment comes 1 ms after the release: for
      // that millisecond the balance would be -50 kg.
      [
        'observes a balance between two distinct instants, even one millisecond apart',
        [
          ...withHundredKilograms,
          released('rel-1', '100', '2026-03-01'),
          acquired('lot-2', '100', '2026-03-01T00:00:00.001Z'),
        ],
        release({ effectiveAt: at('2026-02-01'), quantity: kg('50') }),
      ],
    ])('%s', (_case, history, command) => {
      spec.given(history).when(command).thenFails('insufficient-stock', { kind: 'rule' });
    });

    it('refuses releasing from a stockpile that was never established', () => {
      spec.given([]).when(release()).thenFails('not-found');
    });

    it('refuses a release id already used in the stockpile', () => {
      spec
        .given([...withHundredKilograms, released('rel-1', '10', '2026-02-01')])
        .when(release({ releaseId: 'rel-1', quantity: kg('1') }))
        .thenFails('conflict');
    });

    it('keeps each (material, location) balance separate', () => {
      const history = [
        established,
        acquired('lot-1', '100', '2026-01-10', { material: FLAKE, location: 'yokohama' }),
        acquired('lot-2', '100', '2026-01-10', { material: FLAKE, location: 'kobe' }),
        acquired('lot-3', '100', '2026-01-10', { material: GALLIUM, location: 'yokohama' }),
      ];
      spec
        .given(history)
        .when(release({ quantity: kg('100.001') }))
        .thenFails('insufficient-stock');
      spec
        .given(history)
        .when(release({ quantity: kg('100') }))
        .then([released('rel-new', '100', '2026-03-01')]);
    });

    it('counts a back-dated acquisition recorded after later movements at its effective time', () => {
      // Recorded order: 100 kg arriving on Mar 1, then 50 kg back-dated to Jan 10. On Feb 1 only the 50 kg
      // are on hand.
      const history = [
        established,
        acquired('lot-1', '100', '2026-03-01'),
        acquired('lot-2', '50', '2026-01-10'),
      ];
      spec
        .given(history)
        .when(release({ releaseId: 'rel-1', effectiveAt: at('2026-02-01'), quantity: kg('50') }))
        .then([released('rel-1', '50', '2026-02-01')]);
      spec
        .given(history)
        .when(release({ effectiveAt: at('2026-02-01'), quantity: kg('50.001') }))
        .thenFails('insufficient-stock');
    });
  });

  describe('when transferring', () => {
    it('records the transfer in canonical kilograms', () => {
      spec
        .given(withHundredKilograms)
        .when(transfer({ transferId: 'tr-1', quantity: Quantity.parse({ amount: '0.0405', unit: 't' }) }))
        .then([
          {
            type: 'StockTransferred',
            effectiveAt: at('2026-03-01'),
            data: {
              transferId: 'tr-1',
              material: 'graphite-flake',
              quantity: { amount: '40.5', unit: 'kg' },
              fromLocation: 'yokohama',
              toLocation: 'kobe',
            },
          },
        ]);
    });

    it.each<[string, StockpileEvent[], StockpileCommand, StockpileEvent]>([
      [
        'moves the stock, so it can be released at the new location afterwards',
        [...withHundredKilograms, transferred('tr-1', '100', '2026-02-01', 'yokohama', 'kobe')],
        release({ releaseId: 'rel-1', location: 'kobe', quantity: kg('100') }),
        released('rel-1', '100', '2026-03-01', { location: 'kobe' }),
      ],
      [
        'accepts a back-dated transfer that leaves every later balance at the origin at or above zero',
        [...withHundredKilograms, released('rel-1', '80', '2026-03-01')],
        transfer({ transferId: 'tr-1', effectiveAt: at('2026-02-01'), quantity: kg('20') }),
        transferred('tr-1', '20', '2026-02-01', 'yokohama', 'kobe'),
      ],
    ])('%s', (_case, history, command, recorded) => {
      spec.given(history).when(command).then([recorded]);
    });

    it('moves only the part transferred', () => {
      const history = [...withHundredKilograms, transferred('tr-1', '30', '2026-02-01', 'yokohama', 'kobe')];
      spec
        .given(history)
        .when(release({ location: 'yokohama', quantity: kg('70') }))
        .then([released('rel-new', '70', '2026-03-01')]);
      spec
        .given(history)
        .when(release({ location: 'yokohama', quantity: kg('70.001') }))
        .thenFails('insufficient-stock');
      spec
        .given(history)
        .when(release({ location: 'kobe', quantity: kg('30.001') }))
        .thenFails('insufficient-stock');
    });

    it.each<[string, StockpileEvent[], StockpileCommand]>([
      [
        'takes the stock away from the old location',
        [...withHundredKilograms, transferred('tr-1', '100', '2026-02-01', 'yokohama', 'kobe')],
        release({ location: 'yokohama', quantity: kg('1') }),
      ],
      [
        'moves only the material named',
        [
          established,
          acquired('lot-1', '100', '2026-01-10', { material: FLAKE }),
          acquired('lot-2', '100', '2026-01-10', { material: GALLIUM }),
          transferred('tr-1', '100', '2026-02-01', 'yokohama', 'kobe', FLAKE),
        ],
        release({ location: 'kobe', material: GALLIUM, quantity: kg('1') }),
      ],
      [
        'refuses transferring more than is on hand at the origin',
        withHundredKilograms,
        transfer({ quantity: kg('100.001') }),
      ],
      [
        'refuses transferring from a location that holds none of the material',
        [established, acquired('lot-1', '100', '2026-01-10', { location: 'kobe' })],
        transfer({ fromLocation: 'yokohama', toLocation: 'kobe' }),
      ],
      [
        'refuses a back-dated transfer that a later release from the origin already relied on',
        [...withHundredKilograms, released('rel-1', '80', '2026-03-01')],
        transfer({ effectiveAt: at('2026-02-01'), quantity: kg('30') }),
      ],
      [
        'does not make the stock available at the destination before the transfer takes effect',
        [...withHundredKilograms, transferred('tr-1', '100', '2026-03-01', 'yokohama', 'kobe')],
        release({ location: 'kobe', effectiveAt: at('2026-02-01'), quantity: kg('1') }),
      ],
      [
        'refuses a back-dated release at the destination that a later onward transfer relied on',
        [
          ...withHundredKilograms,
          transferred('tr-1', '100', '2026-02-01', 'yokohama', 'kobe'),
          transferred('tr-2', '100', '2026-04-01', 'kobe', 'osaka'),
        ],
        release({ location: 'kobe', effectiveAt: at('2026-03-01'), quantity: kg('1') }),
      ],
    ])('%s', (_case, history, command) => {
      spec.given(history).when(command).thenFails('insufficient-stock', { kind: 'rule' });
    });

    it('refuses a transfer to the same location', () => {
      spec
        .given(withHundredKilograms)
        .when(transfer({ fromLocation: 'yokohama', toLocation: 'yokohama' }))
        .thenFails('same-location');
    });

    it('refuses a transfer id already used in the stockpile', () => {
      spec
        .given([...withHundredKilograms, transferred('tr-1', '10', '2026-02-01', 'yokohama', 'kobe')])
        .when(transfer({ transferId: 'tr-1', quantity: kg('1') }))
        .thenFails('conflict');
    });

    it('refuses transferring in a stockpile that was never established', () => {
      spec.given([]).when(transfer()).thenFails('not-found');
    });
  });

  describe('in time', () => {
    it.each([
      ['an acquisition', acquire({ effectiveAt: at('2025-12-01') })],
      ['a release', release({ effectiveAt: at('2025-12-31T23:59:59Z') })],
      ['a transfer', transfer({ effectiveAt: at('2025-06-01') })],
    ])('refuses %s effective before the stockpile was established', (_case, command) => {
      spec.given(withHundredKilograms).when(command).thenFails('before-establishment');
    });

    it.each([
      ['an acquisition', acquire],
      ['a release', release],
      ['a transfer', transfer],
    ])('refuses %s effective more than five minutes after it is recorded', (_case, build) => {
      const recordedAt = at('2026-03-01T12:00:00Z');
      const history = withHundredKilograms;
      spec
        .given(history)
        .when(build({ effectiveAt: at('2026-03-01T12:05:01Z'), now: recordedAt }))
        .thenFails('effective-in-future');
      // five minutes of clock skew are allowed
      expect(
        stockpileDecider.decide(
          build({ effectiveAt: at('2026-03-01T12:05:00Z'), now: recordedAt }),
          fold(stockpileDecider, history),
        ),
      ).toHaveLength(1);
    });
  });
});
