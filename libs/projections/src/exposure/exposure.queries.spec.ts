import type { Bitemporal } from '../bitemporal';
import {
  EventLog,
  kilograms,
  onDay,
  projectLog,
  STORE_KINDS,
  type TestReadModels,
  tonnes,
} from '../../testing/event-log';
import { queryExposure } from './exposure.queries';

const GRAPHITE_MATERIALS = ['graphite-flake', 'graphite-spherical', 'graphite-anode', 'graphite-synthetic'];

describe.each(STORE_KINDS)('Exposure on %s', (kind) => {
  describe('stockpile holding and days of cover', () => {
    const log = new EventLog('2025-01-01');
    // A Canada–Japan reserve, JP 60 % / CA 40 %.
    log.establishStockpile('ca-jp-anode-reserve', { JP: '60', CA: '40' }, { recordedAt: '2025-01-10' });
    // JP's consumption of 2025; chosen so that the first days-of-cover figure is an exact tie.
    log.consumption('JP', 'graphite-anode', 2025, tonnes('4557.6'), { recordedAt: '2025-01-15' });
    // A second pool JP takes part in, with shares at the full four decimal places.
    log.establishStockpile(
      'jp-kr-anode-pool',
      { JP: '33.3333', KR: '66.6667' },
      { recordedAt: '2025-01-20' },
    );
    // A stockpile JP has no part in: never counted for JP.
    log.establishStockpile('kr-reserve', { KR: '100' }, { recordedAt: '2025-01-20' });
    log.acquire('ca-jp-anode-reserve', 'graphite-anode', tonnes('1200'), 'Becancour', {
      recordedAt: '2025-02-01',
    });
    // Another material in the same reserve: never counted for graphite-anode.
    log.acquire('ca-jp-anode-reserve', 'gallium', tonnes('5'), 'Becancour', { recordedAt: '2025-02-01' });
    log.acquire('kr-reserve', 'graphite-anode', tonnes('500'), 'Busan', { recordedAt: '2025-03-01' });
    // A release effective on 1 June that the ledger learns only on 15 July (back-dated).
    log.release('ca-jp-anode-reserve', 'graphite-anode', tonnes('250.5'), 'Becancour', {
      effectiveAt: '2025-06-01',
      recordedAt: '2025-07-15',
    });
    // The pool holds its stock in two places; the holding counts every location.
    log.acquire('jp-kr-anode-pool', 'graphite-anode', tonnes('2'), 'Tsukuba', { recordedAt: '2025-09-01' });
    log.acquire('jp-kr-anode-pool', 'graphite-anode', tonnes('1'), 'Kobe', { recordedAt: '2025-09-01' });
    // A tiny joint holding whose attributable share is a fraction of a gram.
    log.establishStockpile('jp-us-germanium', { JP: '50', US: '50' }, { recordedAt: '2025-10-01' });
    log.acquire('jp-us-germanium', 'germanium', kilograms('0.005'), 'Tsukuba', { recordedAt: '2025-10-01' });
    log.consumption('JP', 'germanium', 2025, kilograms('1'), { recordedAt: '2025-10-01' });

    let readModels: TestReadModels;
    beforeAll(async () => {
      readModels = await projectLog(log, kind);
    });
    afterAll(() => readModels.close());

    const exposure = (country: string, material: string, cut: Bitemporal) =>
      queryExposure(readModels.db, country, material, cut);

    it('counts JP’s share of the joint reserve after the release', async () => {
      // onHand = 1,200,000 kg − 250,500 kg = 949,500 kg; JP: 60 / 100 × 949,500 = 569,700 kg.
      // daysOfCover = 365 × 569,700 / 4,557,600 = 207,940,500 / 4,557,600 = 45.625 exactly, a tie:
      // half-even keeps the even 45.62 (half-up would give 45.63).
      const result = await exposure('JP', 'graphite-anode', { asOf: onDay('2025-06-30') });
      expect(result.stockpileHolding).toBe('569700');
      expect(result.consumption).toBe('4557600');
      expect(result.consumptionYear).toBe(2025);
      expect(result.daysOfCover).toBe('45.62');
    });

    it('reproduces the holding as known before the back-dated release was recorded', async () => {
      // Known on 1 July the release did not exist: 60 / 100 × 1,200,000 kg = 720,000 kg.
      // daysOfCover = 365 × 720,000 / 4,557,600 = 262,800,000 / 4,557,600 = 57.6619… → 57.66.
      const result = await exposure('JP', 'graphite-anode', {
        asOf: onDay('2025-06-30'),
        knownAt: { recordedAt: onDay('2025-07-01') },
      });
      expect(result.stockpileHolding).toBe('720000');
      expect(result.daysOfCover).toBe('57.66');
    });

    it('adds the second stockpile JP takes part in, over all its locations', async () => {
      // pool: 2,000 kg + 1,000 kg = 3,000 kg; JP: 33.3333 / 100 × 3,000 kg = 999.999 kg.
      // holding = 569,700 + 999.999 = 570,699.999 kg.
      // daysOfCover = 365 × 570,699.999 / 4,557,600 = 208,305,499.635 / 4,557,600 = 45.70508… → 45.71.
      const result = await exposure('JP', 'graphite-anode', { asOf: onDay('2025-12-31') });
      expect(result.stockpileHolding).toBe('570699.999');
      expect(result.daysOfCover).toBe('45.71');
    });

    it('gives each participant its own share', async () => {
      // CA: 40 / 100 × 949,500 kg = 379,800 kg.
      expect((await exposure('CA', 'graphite-anode', { asOf: onDay('2025-12-31') })).stockpileHolding).toBe(
        '379800',
      );
      // KR: 66.6667 / 100 × 3,000 kg = 2,000.001 kg from the pool, plus 100 % of 500,000 kg in Busan.
      const korea = await exposure('KR', 'graphite-anode', { asOf: onDay('2025-12-31') });
      expect(korea.stockpileHolding).toBe('502000.001');
      // no consumption recorded for KR: no days of cover and no offtake coverage
      expect(korea.consumption).toBeNull();
      expect(korea.daysOfCover).toBeNull();
      expect(korea.offtakeCoverage).toBeNull();
    });

    it('counts only the material asked for', async () => {
      // 60 / 100 × 5,000 kg of gallium in the reserve
      expect((await exposure('JP', 'gallium', { asOf: onDay('2025-12-31') })).stockpileHolding).toBe('3000');
    });

    it('holds nothing before the first acquisition', async () => {
      const result = await exposure('JP', 'graphite-anode', { asOf: onDay('2025-01-31') });
      expect(result.stockpileHolding).toBe('0');
      expect(result.daysOfCover).toBe('0');
    });

    it('rounds the holding to the gram but computes days of cover from the exact share', async () => {
      // JP: 50 / 100 × 5 g = 2.5 g, printed half-even as 2 g = 0.002 kg;
      // daysOfCover = 365 × 2.5 g / 1,000 g = 0.9125 → 0.91 (the rounded 2 g would give 0.73).
      const result = await exposure('JP', 'germanium', { asOf: onDay('2025-12-31') });
      expect(result.stockpileHolding).toBe('0.002');
      expect(result.daysOfCover).toBe('0.91');
    });
  });

  describe('concentration of supply', () => {
    const log = new EventLog('2025-01-01');
    // JP's graphite-anode imports of 2025.
    log.tradeFlow('JP', 'CN', 'graphite-anode', 2025, tonnes('800'));
    log.tradeFlow('JP', 'KR', 'graphite-anode', 2025, tonnes('150'));
    log.tradeFlow('JP', 'CA', 'graphite-anode', 2025, tonnes('50'));
    // The gallium reference (USGS 2024): China 750 t of 760 t; the rest from one other source.
    log.tradeFlow('US', 'CN', 'gallium', 2024, tonnes('750'));
    log.tradeFlow('US', 'JP', 'gallium', 2024, tonnes('10'));
    // Five sources, the natural-graphite producers of USGS 2024 (kt), so that CR3 is below 1.
    log.tradeFlow('KR', 'MZ', 'graphite-flake', 2024, tonnes('75000'));
    log.tradeFlow('KR', 'CN', 'graphite-flake', 2024, tonnes('1270000'));
    log.tradeFlow('KR', 'CA', 'graphite-flake', 2024, tonnes('20000'));
    log.tradeFlow('KR', 'MG', 'graphite-flake', 2024, tonnes('89000'));
    log.tradeFlow('KR', 'BR', 'graphite-flake', 2024, tonnes('68000'));

    let readModels: TestReadModels;
    beforeAll(async () => {
      readModels = await projectLog(log, kind);
    });
    afterAll(() => readModels.close());

    it('computes shares, HHI and CR3 of three sources', async () => {
      // total 1,000 t: shares 800/1000 = 0.8, 150/1000 = 0.15, 50/1000 = 0.05.
      // HHI = 80² + 15² + 5² = 6,400 + 225 + 25 = 6,650 (= 10,000 × (0.64 + 0.0225 + 0.0025)).
      // CR3 = 0.8 + 0.15 + 0.05 = 1.
      const result = await queryExposure(readModels.db, 'JP', 'graphite-anode', {
        asOf: onDay('2025-12-31'),
      });
      expect(result.sourcesYear).toBe(2025);
      expect(result.sources).toEqual([
        { country: 'CN', quantity: '800000', share: '0.8', restricted: false },
        { country: 'KR', quantity: '150000', share: '0.15', restricted: false },
        { country: 'CA', quantity: '50000', share: '0.05', restricted: false },
      ]);
      expect(result.hhi).toBe('6650');
      expect(result.cr3).toBe('1');
      expect(result.restrictedShare).toBe('0');
    });

    it('reproduces the gallium reference figure', async () => {
      // shares 750/760 = 0.98684210… → 0.986842 and 10/760 = 0.01315789… → 0.013158.
      // HHI = 10,000 × (750² + 10²) / 760² = 10,000 × 562,600 / 577,600 = 5,626,000,000 / 577,600
      //     = 9,740.304709… → 9740.30 (DOMAIN.md's "≈ 9,740"), printed canonically as 9740.3.
      const result = await queryExposure(readModels.db, 'US', 'gallium', { asOf: onDay('2024-12-31') });
      expect(result.sources.map(({ country, share }) => [country, share])).toEqual([
        ['CN', '0.986842'],
        ['JP', '0.013158'],
      ]);
      expect(result.hhi).toBe('9740.3');
      expect(result.cr3).toBe('1');
    });

    it('takes the three largest sources for CR3, whatever order they were recorded in', async () => {
      // total = 1,270 + 89 + 75 + 68 + 20 = 1,522 kt.
      // Σ q² = 1,612,900 + 7,921 + 5,625 + 4,624 + 400 = 1,631,470;
      // HHI = 10,000 × 1,631,470 / 1,522² = 16,314,700,000 / 2,316,484 = 7,042.8718… → 7042.87.
      // CR3 = (1,270 + 89 + 75) / 1,522 = 1,434 / 1,522 = 0.94218134… → 0.942181.
      const result = await queryExposure(readModels.db, 'KR', 'graphite-flake', {
        asOf: onDay('2025-03-01'),
      });
      expect(result.sourcesYear).toBe(2024);
      expect(result.sources.map(({ country, share }) => [country, share])).toEqual([
        ['CN', '0.834428'], // 1,270 / 1,522 = 0.8344283…
        ['MG', '0.058476'], // 89 / 1,522 = 0.0584757…
        ['MZ', '0.049277'], // 75 / 1,522 = 0.0492772…
        ['BR', '0.044678'], // 68 / 1,522 = 0.0446780…
        ['CA', '0.013141'], // 20 / 1,522 = 0.0131406…
      ]);
      expect(result.hhi).toBe('7042.87');
      expect(result.cr3).toBe('0.942181');
    });

    it('has no concentration figures without any trade flow', async () => {
      const result = await queryExposure(readModels.db, 'DE', 'gallium', { asOf: onDay('2025-12-31') });
      expect(result).toMatchObject({
        sourcesYear: null,
        sources: [],
        hhi: null,
        cr3: null,
        restrictedShare: null,
      });
    });
  });

  describe('export restrictions', () => {
    const log = new EventLog('2023-01-01');
    // JP's gallium imports of 2023: CN 45 t, US 5 t → shares 0.9 and 0.1.
    log.tradeFlow('JP', 'CN', 'gallium', 2023, tonnes('45'), { recordedAt: '2023-02-01' });
    log.tradeFlow('JP', 'US', 'gallium', 2023, tonnes('5'), { recordedAt: '2023-02-01' });
    // KR's of 2023: CN 30 t, JP 10 t → 0.75 and 0.25.
    log.tradeFlow('KR', 'CN', 'gallium', 2023, tonnes('30'), { recordedAt: '2023-02-01' });
    log.tradeFlow('KR', 'JP', 'gallium', 2023, tonnes('10'), { recordedAt: '2023-02-01' });
    // CN imports some gallium too (from JP): China's own measure never applies to China.
    log.tradeFlow('CN', 'JP', 'gallium', 2023, tonnes('1'), { recordedAt: '2023-02-01' });
    log.restrictExports(
      'cn-gallium-germanium-2023',
      {
        imposedBy: 'CN',
        materials: ['gallium', 'germanium'],
        appliesTo: ['*'],
        announcedOn: '2023-07-03',
        effectiveFrom: '2023-08-01',
      },
      { recordedAt: '2023-07-03' },
    );
    log.liftRestriction('cn-gallium-germanium-2023', '2024-12-01', { recordedAt: '2024-11-15' });
    log.restrictExports(
      'cn-dual-use-jp-2026',
      {
        imposedBy: 'CN',
        materials: ['gallium', 'germanium', 'graphite-anode'],
        measure: 'ban',
        appliesTo: ['JP'],
        effectiveFrom: '2026-01-06',
      },
      { recordedAt: '2026-01-06' },
    );

    let readModels: TestReadModels;
    beforeAll(async () => {
      readModels = await projectLog(log, kind);
    });
    afterAll(() => readModels.close());

    const restricted = async (country: string, cut: Bitemporal) => {
      const result = await queryExposure(readModels.db, country, 'gallium', cut);
      return {
        restrictedShare: result.restrictedShare,
        sources: Object.fromEntries(result.sources.map((source) => [source.country, source.restricted])),
      };
    };

    it('marks nothing restricted the day before the measure takes effect', async () => {
      expect(await restricted('JP', { asOf: onDay('2023-07-31') })).toEqual({
        restrictedShare: '0',
        sources: { CN: false, US: false },
      });
    });

    it('marks China’s share restricted from the effective day', async () => {
      expect(await restricted('JP', { asOf: onDay('2023-08-01') })).toEqual({
        restrictedShare: '0.9',
        sources: { CN: true, US: false },
      });
    });

    it('keeps it restricted until the day before the lift, and free from the lift on', async () => {
      expect((await restricted('JP', { asOf: onDay('2024-11-30') })).restrictedShare).toBe('0.9');
      expect(await restricted('JP', { asOf: onDay('2024-12-01') })).toEqual({
        restrictedShare: '0',
        sources: { CN: false, US: false },
      });
    });

    it('still sees the measure when the lift was not yet known', async () => {
      expect(
        (await restricted('JP', { asOf: onDay('2024-12-01'), knownAt: { recordedAt: onDay('2024-11-14') } }))
          .restrictedShare,
      ).toBe('0.9');
    });

    it('never restricts the imposing country’s own imports', async () => {
      expect(await restricted('CN', { asOf: onDay('2023-08-01') })).toEqual({
        restrictedShare: '0',
        sources: { JP: false },
      });
    });

    it('applies a destination-specific measure to the listed importer only', async () => {
      // 2026: y* = 2023, the latest year with flows; the licensing is lifted, the ban targets JP.
      expect((await restricted('JP', { asOf: onDay('2026-01-05') })).restrictedShare).toBe('0');
      expect(await restricted('JP', { asOf: onDay('2026-01-06') })).toEqual({
        restrictedShare: '0.9',
        sources: { CN: true, US: false },
      });
      expect(await restricted('KR', { asOf: onDay('2026-01-06') })).toEqual({
        restrictedShare: '0',
        sources: { CN: false, JP: false },
      });
    });

    it('restricts KR’s Chinese share only while the every-destination measure is in force', async () => {
      // 30 / 40 = 0.75
      expect((await restricted('KR', { asOf: onDay('2024-06-30') })).restrictedShare).toBe('0.75');
    });
  });

  describe('revised statistics seen through knownAt', () => {
    const log = new EventLog('2025-01-01');
    const at = (recordedAt: string) => ({ recordedAt });
    // 2024: published in March 2025
    log.tradeFlow('JP', 'CN', 'graphite-anode', 2024, tonnes('900'), at('2025-03-01')); // 1
    log.tradeFlow('JP', 'KR', 'graphite-anode', 2024, tonnes('100'), at('2025-03-01')); // 2
    log.consumption('JP', 'graphite-anode', 2024, tonnes('20000'), at('2025-03-01')); // 3
    // 2025: first figures in February 2026
    log.tradeFlow('JP', 'CN', 'graphite-anode', 2025, tonnes('800'), at('2026-02-01')); // 4
    log.tradeFlow('JP', 'KR', 'graphite-anode', 2025, tonnes('200'), at('2026-02-01')); // 5
    log.consumption('JP', 'graphite-anode', 2025, tonnes('10000'), at('2026-02-01')); // 6
    // a forecast for 2027: never used for a day of 2026
    log.consumption('JP', 'graphite-anode', 2027, tonnes('99999'), at('2026-02-01')); // 7
    log.tradeFlow('JP', 'AU', 'graphite-anode', 2027, tonnes('5'), at('2026-02-01')); // 8
    // the revisions of 2025, in May 2026
    const flowRevision = log.tradeFlow('JP', 'CN', 'graphite-anode', 2025, tonnes('1800'), at('2026-05-01')); // 9
    const consumptionRevision = log.consumption(
      'JP',
      'graphite-anode',
      2025,
      tonnes('12000'),
      at('2026-05-01'),
    ); // 10

    let readModels: TestReadModels;
    beforeAll(async () => {
      readModels = await projectLog(log, kind);
    });
    afterAll(() => readModels.close());

    const figures = async (cut: Bitemporal) => {
      const result = await queryExposure(readModels.db, 'JP', 'graphite-anode', cut);
      return {
        sourcesYear: result.sourcesYear,
        sources: result.sources.map(({ country, quantity, share }) => [country, quantity, share]),
        hhi: result.hhi,
        consumptionYear: result.consumptionYear,
        consumption: result.consumption,
      };
    };
    const asOf = onDay('2026-06-30');

    // Before the revision: CN 800 t, KR 200 t → 0.8 / 0.2; HHI = 80² + 20² = 6,800; consumption 10,000 t.
    const original = {
      sourcesYear: 2025,
      sources: [
        ['CN', '800000', '0.8'],
        ['KR', '200000', '0.2'],
      ],
      hhi: '6800',
      consumptionYear: 2025,
      consumption: '10000000',
    };
    // After it: CN 1,800 t, KR 200 t → 0.9 / 0.1; HHI = 90² + 10² = 8,200; consumption 12,000 t.
    const revised = {
      sourcesYear: 2025,
      sources: [
        ['CN', '1800000', '0.9'],
        ['KR', '200000', '0.1'],
      ],
      hhi: '8200',
      consumptionYear: 2025,
      consumption: '12000000',
    };

    it('uses the revised figures when nothing is cut', async () => {
      expect(await figures({ asOf })).toEqual(revised);
    });

    it('sees the old figures at a position before the revision, the new ones from it on', async () => {
      expect(flowRevision.position).toBe(9n);
      expect(await figures({ asOf, knownAt: { position: flowRevision.position - 1n } })).toEqual(original);
      // at position 9 the flow is revised but the consumption (position 10) not yet
      expect(await figures({ asOf, knownAt: { position: flowRevision.position } })).toEqual({
        ...revised,
        consumption: '10000000',
      });
      expect(await figures({ asOf, knownAt: { position: consumptionRevision.position } })).toEqual(revised);
    });

    it('sees the old figures just before the revision’s recorded time, the new ones at it', async () => {
      expect(await figures({ asOf, knownAt: { recordedAt: '2026-04-30T23:59:59.999Z' } })).toEqual(original);
      expect(await figures({ asOf, knownAt: { recordedAt: flowRevision.recordedAt } })).toEqual(revised);
    });

    it('uses y*, the latest year up to the year of D that has flows, and ignores later years', async () => {
      // D in 2026: flows exist for 2024, 2025 and 2027 → y* = 2025; consumption of 2026 is missing, so the
      // latest earlier year, 2025, is used (the 2027 forecast is not).
      expect((await figures({ asOf })).sourcesYear).toBe(2025);
      expect((await figures({ asOf })).consumptionYear).toBe(2025);
    });

    it('falls back to 2024 while the 2025 figures were not yet known', async () => {
      // known at position 3: CN 900 t, KR 100 t → 0.9 / 0.1; HHI = 8,200; consumption of 2024.
      expect(await figures({ asOf, knownAt: { position: 3n } })).toEqual({
        sourcesYear: 2024,
        sources: [
          ['CN', '900000', '0.9'],
          ['KR', '100000', '0.1'],
        ],
        hhi: '8200',
        consumptionYear: 2024,
        consumption: '20000000',
      });
    });

    it('uses the year of D itself when it has figures', async () => {
      expect(await figures({ asOf: onDay('2024-12-31') })).toMatchObject({
        sourcesYear: 2024,
        consumptionYear: 2024,
      });
      // 2027: only AU has a flow → a single source, HHI 10,000
      expect(await figures({ asOf: onDay('2027-03-01') })).toEqual({
        sourcesYear: 2027,
        sources: [['AU', '5000', '1']],
        hhi: '10000',
        consumptionYear: 2027,
        consumption: '99999000',
      });
    });

    it('has no consumption before the first year with one', async () => {
      const result = await queryExposure(readModels.db, 'JP', 'graphite-anode', {
        asOf: onDay('2023-06-30'),
      });
      expect(result).toMatchObject({
        consumption: null,
        consumptionYear: null,
        sourcesYear: null,
        daysOfCover: null,
        offtakeCoverage: null,
      });
    });
  });

  describe('offtake coverage', () => {
    const log = new EventLog('2023-01-01');
    log.restrictExports(
      'cn-graphite-2023',
      {
        imposedBy: 'CN',
        materials: GRAPHITE_MATERIALS,
        appliesTo: ['*'],
        announcedOn: '2023-10-20',
        effectiveFrom: '2023-12-01',
      },
      { recordedAt: '2023-10-20' },
    );
    // A Canadian plant and a Chinese one, both selling anode material to Japan.
    log.registerProject(
      'nmg-becancour',
      { country: 'CA', materials: ['graphite-anode', 'graphite-flake'] },
      { recordedAt: '2024-01-10' },
    );
    log.declareCapacity('nmg-becancour', 'graphite-anode', tonnes('42616'), { recordedAt: '2024-01-10' });
    log.declareCapacity('nmg-becancour', 'graphite-flake', tonnes('100000'), { recordedAt: '2024-01-10' });
    log.registerProject(
      'cn-anode-plant',
      { country: 'CN', materials: ['graphite-anode'] },
      { recordedAt: '2024-01-10' },
    );
    log.declareCapacity('cn-anode-plant', 'graphite-anode', tonnes('100000'), { recordedAt: '2024-01-10' });
    const offtake = (
      projectId: string,
      offtakeId: string,
      buyerCountry: string,
      annualTonnes: string,
      startsOn: string,
      endsOn: string,
      material = 'graphite-anode',
    ) =>
      log.signOfftake(
        projectId,
        { offtakeId, buyerCountry, material, annualVolume: tonnes(annualTonnes), startsOn, endsOn },
        { recordedAt: '2024-02-15' },
      );
    offtake('nmg-becancour', 'panasonic', 'JP', '18000', '2027-01-01', '2034-01-01');
    offtake('nmg-becancour', 'jp-trader', 'JP', '5000', '2026-01-01', '2030-01-01');
    offtake('nmg-becancour', 'jp-later', 'JP', '2000', '2028-01-01', '2031-01-01');
    offtake('nmg-becancour', 'jp-ending', 'JP', '1000', '2026-01-01', '2027-06-30');
    offtake('nmg-becancour', 'kr-buyer', 'KR', '3000', '2026-01-01', '2030-01-01');
    offtake('nmg-becancour', 'jp-flake', 'JP', '7000', '2026-01-01', '2030-01-01', 'graphite-flake');
    offtake('cn-anode-plant', 'jp-from-china', 'JP', '10000', '2026-01-01', '2031-01-01');
    offtake('cn-anode-plant', 'cn-domestic', 'CN', '40000', '2026-01-01', '2031-01-01');
    log.consumption('JP', 'graphite-anode', 2027, tonnes('60000'), { recordedAt: '2026-12-01' });
    log.consumption('CN', 'graphite-anode', 2027, tonnes('800000'), { recordedAt: '2026-12-01' });
    // Terminated from 1 March 2027, recorded only on 10 April.
    log.terminateOfftake('nmg-becancour', 'jp-trader', '2027-03-01', { recordedAt: '2027-04-10' });
    log.liftRestriction('cn-graphite-2023', '2028-07-01', { recordedAt: '2028-06-15' });

    let readModels: TestReadModels;
    beforeAll(async () => {
      readModels = await projectLog(log, kind);
    });
    afterAll(() => readModels.close());

    const coverage = async (country: string, cut: Bitemporal) =>
      (await queryExposure(readModels.db, country, 'graphite-anode', cut)).offtakeCoverage;

    it('counts only the offtake from the unrestricted origin', async () => {
      // On 2027-06-30, JP buys anode material under: panasonic 18,000 t (CA) — counts;
      // jp-from-china 10,000 t (CN, restricted for JP) — not; jp-trader terminated from 2027-03-01 — not;
      // jp-later starts 2028-01-01 — not; jp-ending ends on 2027-06-30 (D < endsOn fails) — not;
      // kr-buyer is KR's, jp-flake is another material — not.
      // offtakeCoverage = 18,000 / 60,000 = 0.3.
      expect(await coverage('JP', { asOf: onDay('2027-06-30') })).toBe('0.3');
    });

    it('counts an offtake up to the day before its endsOn', async () => {
      // + jp-ending 1,000 t: 19,000 / 60,000 = 0.3166666… → 0.316667.
      expect(await coverage('JP', { asOf: onDay('2027-06-29') })).toBe('0.316667');
    });

    it('counts a terminated offtake until its termination takes effect', async () => {
      // 2027-02-28: panasonic 18,000 + jp-trader 5,000 + jp-ending 1,000 = 24,000 / 60,000 = 0.4.
      expect(await coverage('JP', { asOf: onDay('2027-02-28') })).toBe('0.4');
      // 2027-03-01: the termination takes effect that very day → 19,000 / 60,000.
      expect(await coverage('JP', { asOf: onDay('2027-03-01') })).toBe('0.316667');
    });

    it('still counts an offtake whose termination was not yet known', async () => {
      // known on 1 April 2027: 18,000 + 5,000 = 23,000 / 60,000 = 0.383333…
      expect(
        await coverage('JP', { asOf: onDay('2027-06-30'), knownAt: { recordedAt: onDay('2027-04-01') } }),
      ).toBe('0.383333');
    });

    it('counts the Chinese offtake again once the restriction is lifted', async () => {
      // 2028-06-30: panasonic 18,000 + jp-later 2,000 = 20,000 / 60,000 (consumption falls back to 2027)
      expect(await coverage('JP', { asOf: onDay('2028-06-30') })).toBe('0.333333');
      // 2028-07-01: + jp-from-china 10,000 = 30,000 / 60,000 = 0.5
      expect(await coverage('JP', { asOf: onDay('2028-07-01') })).toBe('0.5');
    });

    it('counts the imposing country’s own offtakes from its own projects', async () => {
      // cn-domestic 40,000 / 800,000 = 0.05: China's measure does not apply to China.
      expect(await coverage('CN', { asOf: onDay('2027-06-30') })).toBe('0.05');
    });

    it('is null without consumption', async () => {
      expect(await coverage('KR', { asOf: onDay('2027-06-30') })).toBeNull();
      // JP's consumption of 2027 is not yet recorded in 2026
      expect(
        await coverage('JP', { asOf: onDay('2027-06-30'), knownAt: { recordedAt: onDay('2026-11-30') } }),
      ).toBeNull();
    });
  });
});
