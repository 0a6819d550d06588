import type { Bitemporal } from '../bitemporal';
import {
  EventLog,
  onDay,
  projectLog,
  STORE_KINDS,
  type TestReadModels,
  tonnes,
  usd,
} from '../../testing/event-log';
import { queryProject } from './projects.queries';

describe.each(STORE_KINDS)('The project view on %s', (kind) => {
  const log = new EventLog('2022-01-01');
  const on = (day: string) => ({ effectiveAt: day, recordedAt: day });
  const registered = log.registerProject(
    'nmg-phase-2',
    {
      name: 'NMG Phase-2 Bécancour',
      operator: 'Nouveau Monde Graphite',
      country: 'CA',
      materials: ['graphite-anode', 'graphite-flake'],
      stage: 'feasibility',
    },
    on('2022-09-01'),
  );
  log.declareCapacity('nmg-phase-2', 'graphite-anode', tonnes('40000'), on('2022-09-01'));
  log.declareCapacity('nmg-phase-2', 'graphite-flake', tonnes('100000'), on('2022-09-01'));
  log.advanceStage('nmg-phase-2', 'feasibility', 'financing', on('2023-06-01'));
  log.financeProject(
    'nmg-phase-2',
    {
      financingId: 'panasonic-equity',
      financier: 'Panasonic Energy',
      financierCountry: 'JP',
      instrument: 'equity',
      amount: usd('25000000'),
    },
    on('2024-02-15'),
  );
  log.signOfftake(
    'nmg-phase-2',
    {
      offtakeId: 'panasonic',
      buyer: 'Panasonic Energy',
      buyerCountry: 'JP',
      material: 'graphite-anode',
      annualVolume: tonnes('18000'),
      startsOn: '2027-01-01',
      endsOn: '2034-01-01',
    },
    on('2024-02-15'),
  );
  log.advanceStage('nmg-phase-2', 'financing', 'construction', on('2024-03-01'));
  // The feasibility study's figure replaces the first declaration.
  log.declareCapacity('nmg-phase-2', 'graphite-anode', tonnes('42616'), on('2024-06-01'));
  log.financeProject(
    'nmg-phase-2',
    {
      financingId: 'edc-cib-term-loan',
      financier: 'EDC and CIB',
      financierCountry: 'CA',
      instrument: 'debt',
      amount: usd('290000000'),
    },
    on('2024-12-01'),
  );
  log.financeProject(
    'nmg-phase-2',
    {
      financingId: 'edc-cib-overrun',
      financier: 'EDC and CIB',
      financierCountry: 'CA',
      instrument: 'debt',
      amount: usd('45000000'),
    },
    on('2024-12-01'),
  );
  log.signOfftake(
    'nmg-phase-2',
    {
      offtakeId: 'goc-flake',
      buyer: 'Government of Canada',
      buyerCountry: 'CA',
      material: 'graphite-flake',
      annualVolume: tonnes('30000'),
      startsOn: '2028-01-01',
      endsOn: '2035-01-01',
    },
    on('2025-10-15'),
  );
  log.signOfftake(
    'nmg-phase-2',
    {
      offtakeId: 'anode-trader',
      buyer: 'Anode Trader',
      buyerCountry: 'KR',
      material: 'graphite-anode',
      annualVolume: tonnes('10000'),
      startsOn: '2027-01-01',
      endsOn: '2030-01-01',
    },
    on('2025-11-01'),
  );
  log.recordDelivery('nmg-phase-2', 'panasonic', tonnes('1500'), '2027-02-15', on('2027-02-15'));
  log.recordDelivery('nmg-phase-2', 'panasonic', tonnes('1500'), '2027-03-15', on('2027-03-15'));
  // Ends from 2028-01-01; the ledger learns it on 2027-10-01.
  log.terminateOfftake('nmg-phase-2', 'anode-trader', '2028-01-01', on('2027-10-01'));

  let readModels: TestReadModels;
  beforeAll(async () => {
    readModels = await projectLog(log, kind);
  });
  afterAll(() => readModels.close());

  const view = (asOfDay: string, knownAt?: Bitemporal['knownAt']) =>
    queryProject(readModels.db, 'nmg-phase-2', { asOf: onDay(asOfDay), knownAt });
  const book = async (asOfDay: string, knownAt?: Bitemporal['knownAt']) =>
    (await view(asOfDay, knownAt))?.offtakeBook;

  it('is undefined before the project was registered, or before the ledger knew it', async () => {
    expect(await view('2022-08-31')).toBeUndefined();
    expect(await view('2026-01-01', { position: registered.position - 1n })).toBeUndefined();
    expect(
      await queryProject(readModels.db, 'no-such-project', { asOf: onDay('2026-01-01') }),
    ).toBeUndefined();
  });

  it('shows the project as registered, with its first capacities and an empty book', async () => {
    expect(await view('2023-05-31')).toEqual({
      projectId: 'nmg-phase-2',
      name: 'NMG Phase-2 Bécancour',
      operator: 'Nouveau Monde Graphite',
      country: 'CA',
      materials: ['graphite-anode', 'graphite-flake'],
      stage: 'feasibility',
      capacity: [
        { material: 'graphite-anode', annualCapacity: '40000000' },
        { material: 'graphite-flake', annualCapacity: '100000000' },
      ],
      financings: [],
      offtakes: [],
      // nothing signed yet: peak 0, so the headroom is the whole capacity
      offtakeBook: [
        {
          material: 'graphite-anode',
          annualCapacity: '40000000',
          committed: '0',
          remaining: '40000000',
          peakCommitment: '0',
          headroom: '40000000',
        },
        {
          material: 'graphite-flake',
          annualCapacity: '100000000',
          committed: '0',
          remaining: '100000000',
          peakCommitment: '0',
          headroom: '100000000',
        },
      ],
    });
  });

  it('gives the stage as of the date', async () => {
    expect((await view('2023-05-31'))?.stage).toBe('feasibility');
    expect((await view('2023-06-01'))?.stage).toBe('financing');
    expect((await view('2024-02-29'))?.stage).toBe('financing');
    expect((await view('2024-03-01'))?.stage).toBe('construction');
  });

  it('replaces a capacity by the later declaration from its effective date', async () => {
    expect((await view('2024-05-31'))?.capacity).toEqual([
      { material: 'graphite-anode', annualCapacity: '40000000' },
      { material: 'graphite-flake', annualCapacity: '100000000' },
    ]);
    expect((await view('2024-06-01'))?.capacity).toEqual([
      { material: 'graphite-anode', annualCapacity: '42616000' },
      { material: 'graphite-flake', annualCapacity: '100000000' },
    ]);
  });

  it('lists the financings known as of the date, in the order they were recorded', async () => {
    expect((await view('2024-11-30'))?.financings.map((financing) => financing.financingId)).toEqual([
      'panasonic-equity',
    ]);
    expect((await view('2025-01-01'))?.financings).toEqual([
      {
        financingId: 'panasonic-equity',
        financier: 'Panasonic Energy',
        financierCountry: 'JP',
        instrument: 'equity',
        amount: { amount: '25000000.00', currency: 'USD' },
      },
      {
        financingId: 'edc-cib-term-loan',
        financier: 'EDC and CIB',
        financierCountry: 'CA',
        instrument: 'debt',
        amount: { amount: '290000000.00', currency: 'USD' },
      },
      {
        financingId: 'edc-cib-overrun',
        financier: 'EDC and CIB',
        financierCountry: 'CA',
        instrument: 'debt',
        amount: { amount: '45000000.00', currency: 'USD' },
      },
    ]);
  });

  it('shows each offtake with its deliveries, termination and whether it is in force', async () => {
    expect((await view('2027-06-30'))?.offtakes).toEqual([
      {
        offtakeId: 'anode-trader',
        buyer: 'Anode Trader',
        buyerCountry: 'KR',
        material: 'graphite-anode',
        annualVolume: '10000000',
        startsOn: '2027-01-01',
        endsOn: '2030-01-01',
        terminatedOn: '2028-01-01',
        delivered: '0',
        inForce: true,
      },
      {
        offtakeId: 'panasonic',
        buyer: 'Panasonic Energy',
        buyerCountry: 'JP',
        material: 'graphite-anode',
        annualVolume: '18000000',
        startsOn: '2027-01-01',
        endsOn: '2034-01-01',
        terminatedOn: null,
        // 1,500 t + 1,500 t
        delivered: '3000000',
        inForce: true,
      },
      {
        offtakeId: 'goc-flake',
        buyer: 'Government of Canada',
        buyerCountry: 'CA',
        material: 'graphite-flake',
        annualVolume: '30000000',
        startsOn: '2028-01-01',
        endsOn: '2035-01-01',
        terminatedOn: null,
        delivered: '0',
        inForce: false,
      },
    ]);
    expect(
      (await view('2027-02-20'))?.offtakes.find((offtake) => offtake.offtakeId === 'panasonic')?.delivered,
    ).toBe('1500000');
  });

  describe('the offtake book', () => {
    /*
     * Peak commitment: the highest total of annual volumes in force on any one day over the book's whole
     * span, whatever the asOf day; headroom = capacity − peak. Once all three offtakes are signed (and the
     * termination is known):
     *   anode: panasonic 18,000 t [2027-01-01, 2034-01-01) + anode-trader 10,000 t [2027-01-01, 2028-01-01)
     *          (cut short by its termination) → 28,000 t on every day of 2027, 18,000 t after;
     *          peak = 28,000 t, headroom = 42,616 − 28,000 = 14,616 t.
     *   flake: goc-flake 30,000 t [2028-01-01, 2035-01-01) alone → peak = 30,000 t,
     *          headroom = 100,000 − 30,000 = 70,000 t.
     */
    const anodePeak = { peakCommitment: '28000000', headroom: '14616000' };
    const flakePeak = { peakCommitment: '30000000', headroom: '70000000' };

    it('commits nothing before the offtakes start', async () => {
      // signed, but in force only from 2027-01-01; the peak already counts the days to come
      expect(await book('2026-12-31')).toEqual([
        {
          material: 'graphite-anode',
          annualCapacity: '42616000',
          committed: '0',
          remaining: '42616000',
          ...anodePeak,
        },
        {
          material: 'graphite-flake',
          annualCapacity: '100000000',
          committed: '0',
          remaining: '100000000',
          ...flakePeak,
        },
      ]);
    });

    it('leaves capacity minus the volumes in force on the day', async () => {
      // anode: 42,616 t − (panasonic 18,000 t + anode-trader 10,000 t) = 14,616 t; flake not started.
      expect(await book('2027-06-30')).toEqual([
        {
          material: 'graphite-anode',
          annualCapacity: '42616000',
          committed: '28000000',
          remaining: '14616000',
          ...anodePeak,
        },
        {
          material: 'graphite-flake',
          annualCapacity: '100000000',
          committed: '0',
          remaining: '100000000',
          ...flakePeak,
        },
      ]);
    });

    it('frees a terminated offtake’s volume from its termination day', async () => {
      // 2028-01-01: anode-trader ends that day → anode 42,616 − 18,000 = 24,616 t;
      // goc-flake starts that day → flake 100,000 − 30,000 = 70,000 t.
      const freed = [
        {
          material: 'graphite-anode',
          annualCapacity: '42616000',
          committed: '18000000',
          remaining: '24616000',
          // the peak of 2027 (28,000 t) still bounds what may be signed for every day
          ...anodePeak,
        },
        {
          material: 'graphite-flake',
          annualCapacity: '100000000',
          committed: '30000000',
          remaining: '70000000',
          ...flakePeak,
        },
      ];
      expect(await book('2028-01-01')).toEqual(freed);
      expect(await book('2028-06-30')).toEqual(freed);
      expect((await book('2027-12-31'))?.[0]).toMatchObject({ committed: '28000000', remaining: '14616000' });
    });

    it('keeps the volume committed while the termination was not yet known', async () => {
      const before = await view('2028-06-30', { recordedAt: onDay('2027-09-30') });
      expect(before?.offtakes[0]).toMatchObject({
        offtakeId: 'anode-trader',
        terminatedOn: null,
        inForce: true,
      });
      // anode-trader then runs to its endsOn, 2030-01-01: 18,000 + 10,000 = 28,000 t on every day of
      // [2027-01-01, 2030-01-01), so the peak is the same 28,000 t and the headroom 14,616 t.
      expect(before?.offtakeBook[0]).toEqual({
        material: 'graphite-anode',
        annualCapacity: '42616000',
        committed: '28000000',
        remaining: '14616000',
        peakCommitment: '28000000',
        headroom: '14616000',
      });
    });

    it('measures the book against the capacity declared as of the day', async () => {
      // as known and effective on 2024-05-31 the capacity was still 40,000 t; nothing was in force yet.
      // Only panasonic was signed by then (anode-trader on 2025-11-01): peak = 18,000 t,
      // headroom = 40,000 − 18,000 = 22,000 t.
      expect((await book('2024-05-31'))?.[0]).toEqual({
        material: 'graphite-anode',
        annualCapacity: '40000000',
        committed: '0',
        remaining: '40000000',
        peakCommitment: '18000000',
        headroom: '22000000',
      });
    });
  });
});
