import { CN_GALLIUM_LICENSING } from '../libs/domain/src/testing/export-measures';
import { expectFieldRefused } from './support/command-checks';
import { expectProblem, LedgerHarness } from './support/ledger-harness';
import { parseCsv, Recorder } from './support/query-checks';

const t = (amount: string) => ({ amount, unit: 't' });

/** NMG's Bécancour plant, registered at financing in 2022; the offtake book's example adds a material. */
const becancour = {
  id: 'becancour',
  name: 'Bécancour anode material plant',
  operator: 'Nouveau Monde Graphite',
  country: 'CA',
  materials: ['graphite-anode'],
  stage: 'financing',
  effectiveAt: '2022-08-01',
};

/** The reports of DOMAIN.md, each on a worked example whose figures are computed by hand below. */
describe('Reports over HTTP', () => {
  let ledger: LedgerHarness;
  let recorder: Recorder;

  beforeEach(async () => {
    ledger = await LedgerHarness.start();
    recorder = new Recorder(ledger);
  });
  afterEach(async () => {
    await ledger.stop();
  });

  describe('GET /export-restrictions/timeline', () => {
    /** China's gallium licensing of 2023 (on gallium alone, under its own reference), unless `terms` differ. */
    const measure = (id: string, terms: Record<string, unknown>) =>
      recorder.post('/export-restrictions', {
        ...CN_GALLIUM_LICENSING,
        id,
        materials: ['gallium'],
        legalReference: `reference of ${id}`,
        ...terms,
      });

    /*
     * Japan and gallium. Six measures, two of which ever applied:
     *   licensing   CN, gallium + germanium, every destination, from 2023-08-01, lifted from 2025-03-01
     *                 -> [2023-08-01, 2025-03-01)
     *   ban-jp      CN, gallium, JP only, from 2026-01-06          -> [2026-01-06, open)
     *   ban-us      CN, gallium, US only                           -> not JP's
     *   jp-own      JP, gallium, every destination                 -> the imposing country is never restricted
     *   germanium   CN, germanium only, every destination          -> not gallium
     *   withdrawn   CN, gallium, every destination, from 2024-05-01, lifted that same day
     *                 -> [2024-05-01, 2024-05-01) is empty: it never applied
     * Periods in the order they began: licensing, ban-jp.
     */
    async function givenMeasures(): Promise<{ beforeLift: string }> {
      await measure('licensing', { materials: ['gallium', 'germanium'] });
      await measure('ban-jp', {
        measure: 'ban',
        appliesTo: ['JP'],
        announcedOn: '2026-01-06',
        effectiveFrom: '2026-01-06',
      });
      await measure('ban-us', { measure: 'ban', appliesTo: ['US'] });
      await measure('jp-own', { imposedBy: 'JP' });
      await measure('germanium', { materials: ['germanium'] });
      await measure('withdrawn', { announcedOn: '2024-04-01', effectiveFrom: '2024-05-01' });
      await recorder.post('/export-restrictions/withdrawn/lift', { effectiveFrom: '2024-05-01' });
      const beforeLift = recorder.last;
      await recorder.post('/export-restrictions/licensing/lift', { effectiveFrom: '2025-03-01' });
      return { beforeLift };
    }

    it('gives the periods [from, to) during which each measure applied to the importer and material', async () => {
      const { beforeLift } = await givenMeasures();
      const timeline = await recorder.read('/export-restrictions/timeline?importer=JP&material=gallium');
      expect(timeline.status).toBe(200);
      expect(timeline.body).toEqual({
        importer: 'JP',
        material: 'gallium',
        periods: [
          {
            restrictionId: 'licensing',
            imposedBy: 'CN',
            measure: 'licensing',
            legalReference: 'reference of licensing',
            from: '2023-08-01',
            to: '2025-03-01',
          },
          {
            restrictionId: 'ban-jp',
            imposedBy: 'CN',
            measure: 'ban',
            legalReference: 'reference of ban-jp',
            from: '2026-01-06',
            to: null,
          },
        ],
      });
      // before the lift of the licensing was known, its period was still open
      const known = await recorder.read(
        `/export-restrictions/timeline?importer=JP&material=gallium&knownAt=${beforeLift}`,
      );
      expect(
        known.body.periods.map((p: { restrictionId: string; to: string | null }) => [p.restrictionId, p.to]),
      ).toEqual([
        ['licensing', null],
        ['ban-jp', null],
      ]);
      // the United States: its own ban, Japan's measure and the licensing, all from 2023-08-01 (so in id
      // order); China's own measures never restrict China: Japan's alone does
      const us = await recorder.read('/export-restrictions/timeline?importer=US&material=gallium');
      expect(us.body.periods.map((p: { restrictionId: string }) => p.restrictionId)).toEqual([
        'ban-us',
        'jp-own',
        'licensing',
      ]);
      expect(
        (await recorder.read('/export-restrictions/timeline?importer=CN&material=gallium')).body.periods.map(
          (p: { restrictionId: string }) => p.restrictionId,
        ),
      ).toEqual(['jp-own']);
      // germanium for Japan: the germanium measure and the licensing, from the same day
      const germanium = await recorder.read('/export-restrictions/timeline?importer=JP&material=germanium');
      expect(
        germanium.body.periods.map((p: { restrictionId: string; from: string; to: string | null }) => [
          p.restrictionId,
          p.from,
          p.to,
        ]),
      ).toEqual([
        ['germanium', '2023-08-01', null],
        ['licensing', '2023-08-01', '2025-03-01'],
      ]);
    });

    it('gives the same periods as CSV, and needs an importer and a material', async () => {
      await givenMeasures();
      const csv = await recorder.read(
        '/export-restrictions/timeline?importer=JP&material=gallium&format=csv',
      );
      expect(parseCsv(csv.text)).toEqual([
        ['restrictionId', 'imposedBy', 'measure', 'legalReference', 'from', 'to'],
        ['licensing', 'CN', 'licensing', 'reference of licensing', '2023-08-01', '2025-03-01'],
        ['ban-jp', 'CN', 'ban', 'reference of ban-jp', '2026-01-06', ''],
      ]);
      expectFieldRefused(await ledger.get('/export-restrictions/timeline?material=gallium'), 'importer');
      expectFieldRefused(await ledger.get('/export-restrictions/timeline?importer=JP'), 'material');
      expectFieldRefused(
        await ledger.get('/export-restrictions/timeline?importer=ZZ&material=gallium'),
        'importer',
      );
    });
  });

  describe('GET /reports/financing', () => {
    /*
     * Two projects and seven financings, in three currencies and one more that arrives later:
     *
     *   project        stage                                      financing            instrument  financier  amount            effective
     *   becancour (CA) financing; construction from 2024-06-01    edc-term-loan        debt        CA         USD 290,000,000.00  2024-02-15
     *                                                             edc-overrun          debt        CA         USD  45,000,000.00  2024-02-15
     *                                                             panasonic-equity     equity      JP         USD  25,000,000.00  2024-02-15
     *                                                             quebec-grant         grant       CA         CAD  10,000,000.00  2024-03-01
     *   kalgoorlie (AU) feasibility                               lynas-equity         equity      AU         AUD  15,000,000.00  2023-06-01
     *                                                             jbic-loan            debt        JP         JPY 2,000,000,000   2024-01-10
     *                                                             dfc-loan             debt        US         USD  12,345,678.91  2025-06-01
     *
     * By instrument (now, every financing):
     *   debt:   USD 290,000,000.00 + 45,000,000.00 + 12,345,678.91 = 347,345,678.91 (3); JPY 2,000,000,000 (1)
     *   equity: AUD 15,000,000.00 (1); USD 25,000,000.00 (1)
     *   grant:  CAD 10,000,000.00 (1)
     * By financier country (now):
     *   AU: AUD 15,000,000.00 (1)
     *   CA: CAD 10,000,000.00 (1); USD 290,000,000.00 + 45,000,000.00 = 335,000,000.00 (2)
     *   JP: JPY 2,000,000,000 (1); USD 25,000,000.00 (1)
     *   US: USD 12,345,678.91 (1)
     * By stage on 2024-03-01 (the dfc loan is not effective yet; Bécancour still at financing):
     *   feasibility: AUD 15,000,000.00 (1); JPY 2,000,000,000 (1)
     *   financing:   CAD 10,000,000.00 (1); USD 290,000,000.00 + 45,000,000.00 + 25,000,000.00 = 360,000,000.00 (3)
     * By stage on 2025-07-01 (every financing; Bécancour at construction):
     *   construction: CAD 10,000,000.00 (1); USD 360,000,000.00 (3)
     *   feasibility:  AUD 15,000,000.00 (1); JPY 2,000,000,000 (1); USD 12,345,678.91 (1)
     * Never converted: each currency keeps its own total.
     */
    async function givenFinancings(): Promise<{ beforeGrant: string }> {
      await recorder.post('/projects', becancour);
      await recorder.post('/projects', {
        id: 'kalgoorlie',
        name: 'Kalgoorlie rare earths plant',
        operator: 'Lynas Rare Earths',
        country: 'AU',
        materials: ['ndpr-oxide'],
        stage: 'feasibility',
        effectiveAt: '2023-01-01',
      });
      const finance = (projectId: string, financingId: string, terms: Record<string, unknown>) =>
        recorder.post(`/projects/${projectId}/financings`, { financingId, ...terms });
      const usd = (amount: string) => ({ amount, currency: 'USD' });
      await finance('becancour', 'edc-term-loan', {
        financier: 'Export Development Canada',
        financierCountry: 'CA',
        instrument: 'debt',
        amount: usd('290000000.00'),
        effectiveAt: '2024-02-15',
      });
      await finance('becancour', 'edc-overrun', {
        financier: 'Export Development Canada',
        financierCountry: 'CA',
        instrument: 'debt',
        amount: usd('45000000.00'),
        effectiveAt: '2024-02-15',
      });
      await finance('becancour', 'panasonic-equity', {
        financier: 'Panasonic Energy',
        financierCountry: 'JP',
        instrument: 'equity',
        amount: usd('25000000'),
        effectiveAt: '2024-02-15',
      });
      const beforeGrant = recorder.last;
      await finance('becancour', 'quebec-grant', {
        financier: 'Investissement Québec',
        financierCountry: 'CA',
        instrument: 'grant',
        amount: { amount: '10000000.00', currency: 'CAD' },
        effectiveAt: '2024-03-01',
      });
      await finance('kalgoorlie', 'lynas-equity', {
        financier: 'Lynas Rare Earths',
        financierCountry: 'AU',
        instrument: 'equity',
        amount: { amount: '15000000.00', currency: 'AUD' },
        effectiveAt: '2023-06-01',
      });
      await finance('kalgoorlie', 'jbic-loan', {
        financier: 'Japan Bank for International Cooperation',
        financierCountry: 'JP',
        instrument: 'debt',
        amount: { amount: '2000000000', currency: 'JPY' },
        effectiveAt: '2024-01-10',
      });
      await finance('kalgoorlie', 'dfc-loan', {
        financier: 'US International Development Finance Corporation',
        financierCountry: 'US',
        instrument: 'debt',
        amount: usd('12345678.91'),
        effectiveAt: '2025-06-01',
      });
      await recorder.post('/projects/becancour/stage', { stage: 'construction', effectiveAt: '2024-06-01' });
      return { beforeGrant };
    }

    const total = (currency: string, amount: string, financings: number) => ({
      currency,
      amount,
      financings,
    });

    it('sums per instrument and per original currency, with counts, never converting', async () => {
      await givenFinancings();
      const report = await recorder.read('/reports/financing?groupBy=instrument');
      expect(report.status).toBe(200);
      expect(report.body).toEqual({
        groupBy: 'instrument',
        asOf: expect.any(String),
        groups: [
          {
            group: 'debt',
            totals: [total('JPY', '2000000000', 1), total('USD', '347345678.91', 3)],
          },
          { group: 'equity', totals: [total('AUD', '15000000.00', 1), total('USD', '25000000.00', 1)] },
          { group: 'grant', totals: [total('CAD', '10000000.00', 1)] },
        ],
      });
    });

    it('sums per financier country', async () => {
      await givenFinancings();
      const report = await recorder.read('/reports/financing?groupBy=financierCountry');
      expect(report.body.groups).toEqual([
        { group: 'AU', totals: [total('AUD', '15000000.00', 1)] },
        { group: 'CA', totals: [total('CAD', '10000000.00', 1), total('USD', '335000000.00', 2)] },
        { group: 'JP', totals: [total('JPY', '2000000000', 1), total('USD', '25000000.00', 1)] },
        { group: 'US', totals: [total('USD', '12345678.91', 1)] },
      ]);
    });

    it('sums per project stage on the asOf day, counting only financings effective by then', async () => {
      await givenFinancings();
      const march2024 = await recorder.read('/reports/financing?groupBy=stage&asOf=2024-03-01');
      expect(march2024.body).toEqual({
        groupBy: 'stage',
        asOf: '2024-03-01T00:00:00.000Z',
        groups: [
          { group: 'feasibility', totals: [total('AUD', '15000000.00', 1), total('JPY', '2000000000', 1)] },
          { group: 'financing', totals: [total('CAD', '10000000.00', 1), total('USD', '360000000.00', 3)] },
        ],
      });
      const july2025 = await recorder.read('/reports/financing?groupBy=stage&asOf=2025-07-01');
      expect(july2025.body.groups).toEqual([
        { group: 'construction', totals: [total('CAD', '10000000.00', 1), total('USD', '360000000.00', 3)] },
        {
          group: 'feasibility',
          totals: [
            total('AUD', '15000000.00', 1),
            total('JPY', '2000000000', 1),
            total('USD', '12345678.91', 1),
          ],
        },
      ]);
    });

    it('filters by the project’s country and material, answers as known at a position, and as CSV', async () => {
      const { beforeGrant } = await givenFinancings();
      const canada = await recorder.read('/reports/financing?groupBy=instrument&country=CA');
      expect(canada.body.groups).toEqual([
        { group: 'debt', totals: [total('USD', '335000000.00', 2)] },
        { group: 'equity', totals: [total('USD', '25000000.00', 1)] },
        { group: 'grant', totals: [total('CAD', '10000000.00', 1)] },
      ]);
      const rareEarths = await recorder.read('/reports/financing?groupBy=instrument&material=ndpr-oxide');
      expect(rareEarths.body.groups).toEqual([
        { group: 'debt', totals: [total('JPY', '2000000000', 1), total('USD', '12345678.91', 1)] },
        { group: 'equity', totals: [total('AUD', '15000000.00', 1)] },
      ]);
      // known before the grant and the Kalgoorlie financings were recorded: the first three only
      const known = await recorder.read(`/reports/financing?groupBy=financierCountry&knownAt=${beforeGrant}`);
      expect(known.body.groups).toEqual([
        { group: 'CA', totals: [total('USD', '335000000.00', 2)] },
        { group: 'JP', totals: [total('USD', '25000000.00', 1)] },
      ]);
      const csv = await recorder.read('/reports/financing?groupBy=instrument&country=CA', 'auditor', {
        accept: 'text/csv',
      });
      expect(parseCsv(csv.text)).toEqual([
        ['group', 'currency', 'amount', 'financings'],
        ['debt', 'USD', '335000000.00', '2'],
        ['equity', 'USD', '25000000.00', '1'],
        ['grant', 'CAD', '10000000.00', '1'],
      ]);
    });

    it('needs a groupBy it knows', async () => {
      expectFieldRefused(await ledger.get('/reports/financing'), 'groupBy');
      expectFieldRefused(await ledger.get('/reports/financing?groupBy=currency'), 'groupBy');
    });
  });

  describe('GET /projects/{id}/offtake-book', () => {
    /*
     * Bécancour: graphite-anode capacity 42,616 t/yr, graphite-spherical 10,000 t/yr (both from 2022-08-01).
     *   panasonic  18,000 t/yr  [2027-01-01, 2034-01-01)  signed (effective) 2024-02-15
     *   gm         15,000 t/yr  [2028-01-01, 2031-01-01)  signed 2025-05-01
     *   trader      9,000 t/yr  [2026-01-01, 2028-06-01)  signed 2025-09-01, terminated from 2027-07-01
     *
     * The anode book, known after the termination: the trader's offtake runs [2026-01-01, 2027-07-01).
     *   [2026-01-01, 2027-01-01)   9,000
     *   [2027-01-01, 2027-07-01)  27,000   (panasonic + trader)
     *   [2027-07-01, 2028-01-01)  18,000
     *   [2028-01-01, 2031-01-01)  33,000   (panasonic + gm)   <- peak
     *   [2031-01-01, 2034-01-01)  18,000
     *   on 2027-03-01: committed 27,000 t, remaining 42,616 − 27,000 = 15,616 t;
     *                  peak 33,000 t, headroom 42,616 − 33,000 = 9,616 t
     *   on 2029-01-01: committed 33,000 t, remaining 9,616 t; same peak and headroom
     * Known before the termination, the trader's offtake runs to 2028-06-01:
     *   [2028-01-01, 2028-06-01)  42,000   (all three)   <- peak; headroom 616 t
     * On 2025-06-01 only panasonic and gm were signed (the trader on 2025-09-01), none in its term yet:
     *   committed 0, remaining 42,616 t, peak 33,000 t, headroom 9,616 t
     * Nothing is committed of the spherical graphite: committed 0, peak 0, headroom 10,000 t.
     */
    async function givenBook(): Promise<{ beforeTermination: string }> {
      await recorder.post('/projects', {
        ...becancour,
        materials: ['graphite-anode', 'graphite-spherical'],
        stage: 'construction',
      });
      for (const [material, amount] of [
        ['graphite-anode', '42616'],
        ['graphite-spherical', '10000'],
      ]) {
        await recorder.post('/projects/becancour/capacity', {
          material,
          annualCapacity: t(amount!),
          effectiveAt: '2022-08-01',
        });
      }
      const offtake = (offtakeId: string, terms: Record<string, unknown>) =>
        recorder.post('/projects/becancour/offtakes', {
          offtakeId,
          buyerCountry: 'JP',
          material: 'graphite-anode',
          ...terms,
        });
      await offtake('panasonic', {
        buyer: 'Panasonic Energy',
        annualVolume: t('18000'),
        startsOn: '2027-01-01',
        endsOn: '2034-01-01',
        effectiveAt: '2024-02-15',
      });
      await offtake('gm', {
        buyer: 'General Motors',
        buyerCountry: 'US',
        annualVolume: t('15000'),
        startsOn: '2028-01-01',
        endsOn: '2031-01-01',
        effectiveAt: '2025-05-01',
      });
      await offtake('trader', {
        buyer: 'Anode Trading',
        annualVolume: t('9000'),
        startsOn: '2026-01-01',
        endsOn: '2028-06-01',
        effectiveAt: '2025-09-01',
      });
      const beforeTermination = recorder.last;
      await recorder.post('/projects/becancour/offtakes/trader/termination', {
        reason: 'buyer left the market',
        effectiveOn: '2027-07-01',
        effectiveAt: '2026-11-01',
      });
      return { beforeTermination };
    }

    const anode = (committed: string, remaining: string, peakCommitment: string, headroom: string) => ({
      material: 'graphite-anode',
      annualCapacity: '42616000',
      committed,
      remaining,
      peakCommitment,
      headroom,
    });
    const spherical = {
      material: 'graphite-spherical',
      annualCapacity: '10000000',
      committed: '0',
      remaining: '10000000',
      peakCommitment: '0',
      headroom: '10000000',
    };

    it('gives capacity, committed on asOf, peak commitment over the whole span and headroom per material', async () => {
      await givenBook();
      const march2027 = await recorder.read('/projects/becancour/offtake-book?asOf=2027-03-01');
      expect(march2027.status).toBe(200);
      expect(march2027.body).toEqual({
        projectId: 'becancour',
        asOf: '2027-03-01T00:00:00.000Z',
        materials: [anode('27000000', '15616000', '33000000', '9616000'), spherical],
      });
      const book2029 = await recorder.read('/projects/becancour/offtake-book?asOf=2029-01-01');
      expect(book2029.body.materials[0]).toEqual(anode('33000000', '9616000', '33000000', '9616000'));
    });

    it('counts an offtake once its signing is effective, and a termination once it is known', async () => {
      const { beforeTermination } = await givenBook();
      const june2025 = await recorder.read('/projects/becancour/offtake-book?asOf=2025-06-01');
      expect(june2025.body.materials[0]).toEqual(anode('0', '42616000', '33000000', '9616000'));
      const known = await recorder.read(
        `/projects/becancour/offtake-book?asOf=2027-03-01&knownAt=${beforeTermination}`,
      );
      expect(known.body.materials[0]).toEqual(anode('27000000', '15616000', '42000000', '616000'));
    });

    it('gives one material’s book, the book as CSV, and 404 for a project not known then', async () => {
      await givenBook();
      const one = await recorder.read('/projects/becancour/offtake-book?material=graphite-spherical');
      expect(one.body.materials).toEqual([spherical]);
      const csv = await recorder.read('/projects/becancour/offtake-book?asOf=2027-03-01&format=csv');
      expect(parseCsv(csv.text)).toEqual([
        ['material', 'annualCapacity', 'committed', 'remaining', 'peakCommitment', 'headroom'],
        ['graphite-anode', '42616000', '27000000', '15616000', '33000000', '9616000'],
        ['graphite-spherical', '10000000', '0', '10000000', '0', '10000000'],
      ]);
      expectProblem(
        await recorder.read('/projects/becancour/offtake-book?asOf=2021-01-01'),
        404,
        'not-found',
      );
      expectProblem(await recorder.read('/projects/nowhere/offtake-book'), 404, 'not-found');
      expectFieldRefused(
        await ledger.get('/projects/becancour/offtake-book?material=adamantium'),
        'material',
      );
    });
  });
});
