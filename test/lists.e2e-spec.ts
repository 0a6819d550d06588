import { CN_GALLIUM_LICENSING } from '../libs/domain/src/testing/export-measures';
import { expectFieldRefused } from './support/command-checks';
import { expectProblem, LedgerHarness } from './support/ledger-harness';
import { forgedCursor, pageThrough, parseCsv, Recorder } from './support/query-checks';
import { reserveTemplate } from './support/stockpile-scenarios';

const t = (amount: string) => ({ amount, unit: 't' });

const becancour = {
  id: 'nmg-becancour',
  name: 'NMG Phase-2 Bécancour active anode material plant',
  operator: 'Nouveau Monde Graphite',
  country: 'CA',
  materials: ['graphite-anode'],
  stage: 'financing',
  effectiveAt: '2022-08-01',
};
const matawinie = {
  id: 'nmg-matawinie',
  name: 'NMG Matawinie graphite mine',
  operator: 'Nouveau Monde Graphite',
  country: 'CA',
  materials: ['graphite-flake'],
  stage: 'construction',
  effectiveAt: '2023-01-01',
};
const kalgoorlie = {
  id: 'lynas-kalgoorlie',
  name: 'Lynas Kalgoorlie rare earths processing facility',
  operator: 'Lynas Rare Earths',
  country: 'AU',
  materials: ['ndpr-oxide'],
  stage: 'production',
  effectiveAt: '2020-01-01',
};
const panasonic = {
  offtakeId: 'panasonic-aam',
  buyer: 'Panasonic Energy',
  buyerCountry: 'JP',
  material: 'graphite-anode',
  annualVolume: t('18000'),
  startsOn: '2027-01-01',
  endsOn: '2034-01-01',
  effectiveAt: '2024-02-15',
};
const canadaConcentrate = {
  offtakeId: 'canada-concentrate',
  buyer: 'Government of Canada',
  buyerCountry: 'CA',
  material: 'graphite-flake',
  annualVolume: t('30000'),
  startsOn: '2027-01-01',
  endsOn: '2034-01-01',
  effectiveAt: '2025-10-15',
};

/** The walkthrough's joint reserve (JOGMEC; JP 60%, CA 40%) under its own id and name, from April 2025. */
const caJpReserve = {
  ...reserveTemplate,
  id: 'ca-jp-reserve',
  name: 'Canada–Japan critical minerals reserve',
  effectiveAt: '2025-04-01',
};

const ids = (items: { projectId?: string; stockpileId?: string }[]) =>
  items.map((item) => item.projectId ?? item.stockpileId);

describe('Lists over HTTP', () => {
  let ledger: LedgerHarness;
  let recorder: Recorder;

  beforeEach(async () => {
    ledger = await LedgerHarness.start();
    recorder = new Recorder(ledger);
  });
  afterEach(async () => {
    await ledger.stop();
  });

  const project = (id: string, overrides: Record<string, unknown> = {}) =>
    recorder.post('/projects', { ...kalgoorlie, id, name: `Project ${id}`, ...overrides });
  /** Japan's gallium imports of 2024 from `exporter`, unless `overrides` say otherwise. */
  const flow = (exporter: string, amount: string, overrides: Record<string, unknown> = {}) =>
    recorder.post('/supply/trade-flows', {
      importer: 'JP',
      exporter,
      material: 'gallium',
      year: 2024,
      annualQuantity: t(amount),
      ...overrides,
    });
  /** `country`'s gallium consumption in `year`. */
  const recordConsumption = (year: number, amount: string, country = 'JP') =>
    recorder.post('/supply/consumption', {
      country,
      material: 'gallium',
      year,
      annualQuantity: t(amount),
    });

  describe('GET /projects', () => {
    /** Bécancour moves from financing to construction on 2024-06-01; the answer to that is `stagePosition`. */
    let beforeStage: string;

    async function givenProjects(): Promise<void> {
      await recorder.post('/projects', kalgoorlie);
      await recorder.post('/projects', becancour);
      await recorder.post('/projects/nmg-becancour/capacity', {
        material: 'graphite-anode',
        annualCapacity: t('42616'),
        effectiveAt: '2022-08-01',
      });
      await recorder.post('/projects/nmg-becancour/offtakes', panasonic);
      beforeStage = recorder.last;
      await recorder.post('/projects/nmg-becancour/stage', {
        stage: 'construction',
        effectiveAt: '2024-06-01',
      });
      await recorder.post('/projects', matawinie);
      await recorder.post('/projects/nmg-matawinie/capacity', {
        material: 'graphite-flake',
        annualCapacity: t('100000'),
        effectiveAt: '2023-01-01',
      });
      await recorder.post('/projects/nmg-matawinie/offtakes', canadaConcentrate);
    }

    it('lists every project in id order with its summary, the stage being the one on asOf', async () => {
      await givenProjects();
      const all = await recorder.read('/projects');
      expect(all.status).toBe(200);
      expect(all.body).toEqual({
        asOf: expect.any(String),
        items: [
          {
            projectId: 'lynas-kalgoorlie',
            name: kalgoorlie.name,
            operator: 'Lynas Rare Earths',
            country: 'AU',
            stage: 'production',
            materials: ['ndpr-oxide'],
          },
          {
            projectId: 'nmg-becancour',
            name: becancour.name,
            operator: 'Nouveau Monde Graphite',
            country: 'CA',
            stage: 'construction',
            materials: ['graphite-anode'],
          },
          {
            projectId: 'nmg-matawinie',
            name: matawinie.name,
            operator: 'Nouveau Monde Graphite',
            country: 'CA',
            stage: 'construction',
            materials: ['graphite-flake'],
          },
        ],
        nextCursor: null,
      });
    });

    it('filters by country, material, operator, stage on asOf, and buyer name or country', async () => {
      await givenProjects();
      const listed = async (query: string) => {
        const response = await recorder.read(`/projects?${query}`);
        expect(response.status).toBe(200);
        return ids(response.body.items);
      };
      expect(await listed('country=CA')).toEqual(['nmg-becancour', 'nmg-matawinie']);
      expect(await listed('country=AU')).toEqual(['lynas-kalgoorlie']);
      expect(await listed('material=graphite-flake')).toEqual(['nmg-matawinie']);
      expect(await listed('operator=Nouveau%20Monde%20Graphite')).toEqual(['nmg-becancour', 'nmg-matawinie']);
      expect(await listed('stage=construction')).toEqual(['nmg-becancour', 'nmg-matawinie']);
      // before 2024-06-01 Bécancour was still at financing
      expect(await listed('stage=construction&asOf=2024-01-01')).toEqual(['nmg-matawinie']);
      expect(await listed('stage=financing&asOf=2024-01-01')).toEqual(['nmg-becancour']);
      expect(await listed('buyer=JP')).toEqual(['nmg-becancour']);
      expect(await listed('buyer=Government%20of%20Canada')).toEqual(['nmg-matawinie']);
      // the Panasonic offtake was signed (effective) on 2024-02-15: before that, no project has a JP buyer
      expect(await listed('buyer=JP&asOf=2024-01-01')).toEqual([]);
      expect(await listed('country=CA&material=graphite-anode&stage=construction&buyer=JP')).toEqual([
        'nmg-becancour',
      ]);
    });

    it('answers as of a date and as known at a position', async () => {
      await givenProjects();
      // registered in 2020, 2022 and 2023
      expect(ids((await recorder.read('/projects?asOf=2021-06-01')).body.items)).toEqual([
        'lynas-kalgoorlie',
      ]);
      // known before the stage change was recorded, Bécancour is at financing whatever the date
      const before = await recorder.read(`/projects?knownAt=${beforeStage}`);
      expect(
        before.body.items.map((p: { projectId: string; stage: string }) => [p.projectId, p.stage]),
      ).toEqual([
        ['lynas-kalgoorlie', 'production'],
        ['nmg-becancour', 'financing'],
      ]);
    });

    it('refuses filters outside their domain, naming them', async () => {
      expectFieldRefused(await ledger.get('/projects?country=XX'), 'country');
      expectFieldRefused(await ledger.get('/projects?material=unobtainium'), 'material');
      expectFieldRefused(await ledger.get('/projects?stage=dreaming'), 'stage');
      expectFieldRefused(await ledger.get('/projects?unknown=1'), 'unknown');
    });
  });

  describe('pagination', () => {
    it('pages through projects while others are registered: none repeated or skipped, later ids show up', async () => {
      for (const n of [1, 2, 3, 4, 5, 6, 7]) await project(`m-${n}`);
      const appended: string[] = [];
      let round = 0;
      const pages = await pageThrough(recorder, '/projects', 3, async () => {
        round += 1;
        // one id before every cursor (never on this walk), one after every cursor (always on it)
        await project(`a-${round}`);
        await project(`z-${round}`);
        appended.push(`z-${round}`);
      });
      const seen = pages.flatMap(ids);
      expect(seen).toEqual([...[1, 2, 3, 4, 5, 6, 7].map((n) => `m-${n}`), ...appended]);
      expect(pages.every((page) => page.length <= 3)).toBe(true);
      // a fresh walk sees them all
      const again = (await pageThrough(recorder, '/projects', 1000)).flatMap(ids);
      expect(again).toEqual([...again].sort());
      expect(again.filter((id) => id!.startsWith('a-'))).toHaveLength(round);
    });

    it('pages through stockpiles and trade flows on their own sort keys while appends go on', async () => {
      const stockpile = (id: string) =>
        recorder.post('/stockpiles', {
          id,
          name: `Reserve ${id}`,
          custodian: 'JOGMEC',
          participants: [{ country: 'JP', sharePercent: '100' }],
          effectiveAt: '2025-01-01',
        });
      for (const n of [1, 2, 3, 4, 5]) await stockpile(`m-${n}`);
      let round = 0;
      const appended: string[] = [];
      const stockpilePages = await pageThrough(recorder, '/stockpiles', 2, async () => {
        round += 1;
        await stockpile(`a-${round}`);
        await stockpile(`z-${round}`);
        appended.push(`z-${round}`);
      });
      expect(stockpilePages.flatMap(ids)).toEqual(['m-1', 'm-2', 'm-3', 'm-4', 'm-5', ...appended]);

      // (importer, material, year, exporter): KR sorts after JP, AU before it
      for (const exporter of ['CA', 'CN', 'DE', 'KR', 'US']) await flow(exporter, '10');
      round = 0;
      const appendedFlows: string[] = [];
      const flowPages = await pageThrough(recorder, '/supply/trade-flows', 2, async () => {
        round += 1;
        await flow('CN', '10', { importer: 'AU', year: 2000 + round });
        await flow('CN', '10', { importer: 'KR', year: 2000 + round });
        appendedFlows.push(`KR ${2000 + round} CN`);
      });
      expect(flowPages.flat().map((f) => `${f.importer} ${f.year} ${f.exporter}`)).toEqual([
        'JP 2024 CA',
        'JP 2024 CN',
        'JP 2024 DE',
        'JP 2024 KR',
        'JP 2024 US',
        ...appendedFlows,
      ]);
    });

    it('takes a limit from 1 to 1000 and refuses a cursor the ledger did not make with 400', async () => {
      await project('m-1');
      await project('m-2');
      const first = await recorder.read('/projects?limit=1');
      expect(ids(first.body.items)).toEqual(['m-1']);
      expect(typeof first.body.nextCursor).toBe('string');
      for (const limit of ['0', '1001', '-1', 'ten', '1.5']) {
        expectFieldRefused(await ledger.get(`/projects?limit=${limit}`), 'limit');
      }
      expect((await recorder.read('/projects?limit=1000')).status).toBe(200);
      for (const [path, cursor] of [
        ['/projects', 'not-a-cursor'],
        ['/projects', forgedCursor({ after: 'm-1' })],
        ['/projects', forgedCursor(['m-1', 'm-2'])],
        ['/projects', forgedCursor([1])],
        ['/stockpiles', forgedCursor([])],
        // a cursor of another list, with a key of another shape
        ['/supply/trade-flows', first.body.nextCursor],
        // the year part must be a year: it is compared as a number
        ['/supply/trade-flows', forgedCursor(['JP', 'gallium', 'x', 'CN'])],
        ['/supply/consumption', forgedCursor(['JP', 'gallium', '2024.5', ''])],
        ['/inventory', forgedCursor(['a'])],
      ]) {
        expectFieldRefused(await ledger.get(`${path}?cursor=${encodeURIComponent(cursor!)}`), 'cursor');
      }
    });
  });

  describe('CSV', () => {
    it('streams every page of a list, and writes a cell a spreadsheet would run as a formula with a leading quote', async () => {
      await project('formula-1', {
        name: '=HYPERLINK("https://example.org","open")',
        operator: '@SUM(A1:A9)',
      });
      await project('formula-2', { name: '+33 Mine', operator: '-Operator, Ltd.' });
      await project('plain', { name: 'Plain Mine' });
      // the limit is per page read from the store: CSV carries every row whatever it is
      const csv = await recorder.read('/projects?limit=1', 'reader', { accept: 'text/csv' });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csv.text.split('\r\n')[1]).toBe(
        `formula-1,"'=HYPERLINK(""https://example.org"",""open"")",'@SUM(A1:A9),AU,production,"[""ndpr-oxide""]"`,
      );
      expect(parseCsv(csv.text)).toEqual([
        ['projectId', 'name', 'operator', 'country', 'stage', 'materials'],
        [
          'formula-1',
          `'=HYPERLINK("https://example.org","open")`,
          `'@SUM(A1:A9)`,
          'AU',
          'production',
          '["ndpr-oxide"]',
        ],
        ['formula-2', `'+33 Mine`, `'-Operator, Ltd.`, 'AU', 'production', '["ndpr-oxide"]'],
        ['plain', 'Plain Mine', 'Lynas Rare Earths', 'AU', 'production', '["ndpr-oxide"]'],
      ]);
      expect((await recorder.read('/projects?format=csv&limit=2')).text).toBe(csv.text);
    });

    it('gives the same rows as CSV for stockpiles, trade flows and consumption', async () => {
      await recorder.post('/stockpiles', { ...caJpReserve, name: 'Canada–Japan reserve' });
      await flow('CN', '75');
      const { position } = await recordConsumption(2024, '80');
      expect(parseCsv((await recorder.read('/stockpiles?format=csv')).text)).toEqual([
        ['stockpileId', 'name', 'custodian', 'participants', 'onHand'],
        [
          'ca-jp-reserve',
          'Canada–Japan reserve',
          'JOGMEC',
          '[{"country":"CA","sharePercent":"40"},{"country":"JP","sharePercent":"60"}]',
          '[]',
        ],
      ]);
      const flows = parseCsv((await recorder.read('/supply/trade-flows?format=csv')).text);
      expect(flows[0]).toEqual([
        'importer',
        'exporter',
        'material',
        'year',
        'annualQuantity',
        'effectiveAt',
        'recordedAt',
        'position',
      ]);
      expect(flows[1]!.slice(0, 5)).toEqual(['JP', 'CN', 'gallium', '2024', '75000']);
      const consumption = parseCsv((await recorder.read('/supply/consumption?format=csv')).text);
      expect(consumption[0]).toEqual([
        'country',
        'material',
        'year',
        'annualQuantity',
        'effectiveAt',
        'recordedAt',
        'position',
      ]);
      expect(consumption[1]).toEqual([
        'JP',
        'gallium',
        '2024',
        '80000',
        expect.any(String),
        expect.any(String),
        position,
      ]);
    });
  });

  describe('GET /stockpiles', () => {
    /** the position before the gallium lot was recorded */
    let beforeGallium: string;

    async function givenStockpiles(): Promise<void> {
      await recorder.post('/stockpiles', caJpReserve);
      await recorder.post('/stockpiles/ca-jp-reserve/acquisitions', {
        lotId: 'aam-2025-01',
        material: 'graphite-anode',
        quantity: t('2400'),
        location: 'Yokohama',
        originCountry: 'CA',
        effectiveAt: '2025-05-15',
      });
      beforeGallium = recorder.last;
      await recorder.post('/stockpiles/ca-jp-reserve/acquisitions', {
        lotId: 'gallium-2025-01',
        material: 'gallium',
        quantity: t('12'),
        location: 'Tsukuba',
        originCountry: 'CA',
        effectiveAt: '2025-06-01',
      });
      await recorder.post('/stockpiles/ca-jp-reserve/releases', {
        releaseId: 'aam-release',
        material: 'graphite-anode',
        quantity: t('400'),
        location: 'Yokohama',
        recipient: 'Panasonic Energy',
        recipientCountry: 'JP',
        reason: 'supply disruption',
        authorisationRef: 'METI-2026-007',
        effectiveAt: '2026-02-01',
      });
      // moves stock between locations: the total on hand does not change
      await recorder.post('/stockpiles/ca-jp-reserve/transfers', {
        transferId: 'to-kobe',
        material: 'graphite-anode',
        quantity: t('100'),
        fromLocation: 'Yokohama',
        toLocation: 'Kobe',
        effectiveAt: '2026-02-10',
      });
      await recorder.post('/stockpiles', {
        id: 'de-reserve',
        name: 'German raw materials reserve',
        custodian: 'BAFA',
        participants: [{ country: 'DE', sharePercent: '100' }],
        effectiveAt: '2025-01-01',
      });
      await recorder.post('/stockpiles/de-reserve/acquisitions', {
        lotId: 'ndpr-1',
        material: 'ndpr-oxide',
        quantity: t('50'),
        location: 'Hamburg',
        originCountry: 'AU',
        effectiveAt: '2025-03-01',
      });
      await recorder.post('/stockpiles', {
        id: 'kr-jp-reserve',
        name: 'Korea–Japan reserve',
        custodian: 'KOMIR',
        participants: [
          { country: 'KR', sharePercent: '50' },
          { country: 'JP', sharePercent: '50' },
        ],
        effectiveAt: '2026-01-01',
      });
    }

    it('lists stockpiles with their participants and the total on hand per material over every location', async () => {
      await givenStockpiles();
      const list = await recorder.read('/stockpiles');
      expect(list.body).toEqual({
        asOf: expect.any(String),
        items: [
          {
            stockpileId: 'ca-jp-reserve',
            name: 'Canada–Japan critical minerals reserve',
            custodian: 'JOGMEC',
            participants: [
              { country: 'CA', sharePercent: '40' },
              { country: 'JP', sharePercent: '60' },
            ],
            // 2400 t − 400 t released = 2000 t (1900 t at Yokohama, 100 t moved to Kobe)
            onHand: [
              { material: 'gallium', onHand: '12000' },
              { material: 'graphite-anode', onHand: '2000000' },
            ],
          },
          {
            stockpileId: 'de-reserve',
            name: 'German raw materials reserve',
            custodian: 'BAFA',
            participants: [{ country: 'DE', sharePercent: '100' }],
            onHand: [{ material: 'ndpr-oxide', onHand: '50000' }],
          },
          {
            stockpileId: 'kr-jp-reserve',
            name: 'Korea–Japan reserve',
            custodian: 'KOMIR',
            participants: [
              { country: 'JP', sharePercent: '50' },
              { country: 'KR', sharePercent: '50' },
            ],
            onHand: [],
          },
        ],
        nextCursor: null,
      });
    });

    it('filters by participant and by material, the material’s total alone', async () => {
      await givenStockpiles();
      expect(ids((await recorder.read('/stockpiles?participant=JP')).body.items)).toEqual([
        'ca-jp-reserve',
        'kr-jp-reserve',
      ]);
      expect(ids((await recorder.read('/stockpiles?participant=DE')).body.items)).toEqual(['de-reserve']);
      expect(ids((await recorder.read('/stockpiles?participant=US')).body.items)).toEqual([]);
      const gallium = await recorder.read('/stockpiles?material=gallium');
      expect(gallium.body.items).toEqual([
        expect.objectContaining({
          stockpileId: 'ca-jp-reserve',
          onHand: [{ material: 'gallium', onHand: '12000' }],
        }),
      ]);
      expect(ids((await recorder.read('/stockpiles?participant=DE&material=gallium')).body.items)).toEqual(
        [],
      );
      expectFieldRefused(await ledger.get('/stockpiles?participant=JPN'), 'participant');
      expectFieldRefused(await ledger.get('/stockpiles?material=mithril'), 'material');
    });

    it('answers as of a date and as known at a position, the material filter included', async () => {
      await givenStockpiles();
      // on 2025-05-20: the kr-jp reserve did not exist yet, nor the gallium lot or the release
      const may = await recorder.read('/stockpiles?asOf=2025-05-20');
      expect(may.body.items.map((s: any) => [s.stockpileId, s.onHand])).toEqual([
        ['ca-jp-reserve', [{ material: 'graphite-anode', onHand: '2400000' }]],
        ['de-reserve', [{ material: 'ndpr-oxide', onHand: '50000' }]],
      ]);
      expect((await recorder.read('/stockpiles?material=gallium&asOf=2025-05-20')).body.items).toEqual([]);
      // as known before the gallium lot was recorded, no stockpile holds gallium, whatever the date
      expect(
        (await recorder.read(`/stockpiles?material=gallium&knownAt=${beforeGallium}`)).body.items,
      ).toEqual([]);
      const known = await recorder.read(`/stockpiles?knownAt=${beforeGallium}`);
      expect(known.body.items.map((s: any) => [s.stockpileId, s.onHand])).toEqual([
        ['ca-jp-reserve', [{ material: 'graphite-anode', onHand: '2400000' }]],
      ]);
    });
  });

  describe('GET /supply/trade-flows and /supply/consumption', () => {
    it('lists the statistics in force: a revision replaces the figure it supersedes', async () => {
      const first = await flow('CN', '75');
      await flow('CA', '1');
      await flow('CN', '60', { importer: 'KR' });
      await flow('CN', '41000', { material: 'graphite-anode', year: 2023 });
      const revision = await flow('CN', '70');

      const japanGallium = await recorder.read('/supply/trade-flows?importer=JP&material=gallium');
      expect(japanGallium.body).toEqual({
        asOf: expect.any(String),
        items: [
          {
            importer: 'JP',
            exporter: 'CA',
            material: 'gallium',
            year: 2024,
            annualQuantity: '1000',
            effectiveAt: expect.any(String),
            recordedAt: expect.any(String),
            position: expect.any(String),
          },
          expect.objectContaining({ exporter: 'CN', annualQuantity: '70000', position: revision.position }),
        ],
        nextCursor: null,
      });
      // key order: importer, material, year, exporter
      const fromChina = await recorder.read('/supply/trade-flows?exporter=CN');
      expect(
        fromChina.body.items.map((f: any) => [f.importer, f.material, f.year, f.annualQuantity]),
      ).toEqual([
        ['JP', 'gallium', 2024, '70000'],
        ['JP', 'graphite-anode', 2023, '41000000'],
        ['KR', 'gallium', 2024, '60000'],
      ]);
      expect((await recorder.read('/supply/trade-flows?year=2023')).body.items).toEqual([
        expect.objectContaining({ importer: 'JP', material: 'graphite-anode' }),
      ]);

      // known before the revision, the superseded figure is the one in force
      const before = await recorder.read(
        `/supply/trade-flows?importer=JP&material=gallium&knownAt=${BigInt(revision.position) - 1n}`,
      );
      expect(before.body.items.map((f: any) => [f.exporter, f.annualQuantity, f.position])).toEqual([
        ['CA', '1000', expect.any(String)],
        ['CN', '75000', first.position],
      ]);
      // known at the first record only
      const earliest = await recorder.read(`/supply/trade-flows?knownAt=${first.position}`);
      expect(earliest.body.items.map((f: any) => f.annualQuantity)).toEqual(['75000']);
    });

    it('lists consumption in force the same way, without an exporter', async () => {
      await recordConsumption(2023, '78');
      const first = await recordConsumption(2024, '80');
      await recordConsumption(2024, '60', 'KR');
      const revision = await recordConsumption(2024, '85');
      const japan = await recorder.read('/supply/consumption?country=JP');
      expect(japan.body.items).toEqual([
        {
          country: 'JP',
          material: 'gallium',
          year: 2023,
          annualQuantity: '78000',
          effectiveAt: expect.any(String),
          recordedAt: expect.any(String),
          position: expect.any(String),
        },
        expect.objectContaining({ year: 2024, annualQuantity: '85000', position: revision.position }),
      ]);
      const before = await recorder.read(
        `/supply/consumption?country=JP&year=2024&knownAt=${first.position}`,
      );
      expect(before.body.items.map((c: any) => c.annualQuantity)).toEqual(['80000']);
      expect((await recorder.read('/supply/consumption?material=gallium&year=2024')).body.items).toHaveLength(
        2,
      );
      expectFieldRefused(await ledger.get('/supply/consumption?year=24'), 'year');
      expectFieldRefused(await ledger.get('/supply/consumption?exporter=CN'), 'exporter');
    });

    it('refuses a knownAt beyond the head of the log with 400 known-at-beyond-head', async () => {
      const { position } = await flow('CN', '75');
      expectProblem(
        await ledger.get(`/supply/trade-flows?knownAt=${BigInt(position) + 1n}`),
        400,
        'known-at-beyond-head',
      );
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
      expectProblem(await ledger.get(`/projects?knownAt=${tomorrow}`), 400, 'known-at-beyond-head');
    });
  });

  describe('GET /export-restrictions/{id}', () => {
    it('gives the measure and its history, as known at knownAt', async () => {
      const before = await recorder.post('/stockpiles', {
        id: 'earlier',
        name: 'An earlier entity',
        custodian: 'JOGMEC',
        participants: [{ country: 'JP', sharePercent: '100' }],
      });
      const imposed = await recorder.post('/export-restrictions', {
        ...CN_GALLIUM_LICENSING,
        effectiveAt: '2023-07-03',
      });
      const lifted = await recorder.post(`/export-restrictions/${CN_GALLIUM_LICENSING.id}/lift`, {
        effectiveFrom: '2027-01-01',
        effectiveAt: '2026-12-01',
      });
      const path = `/export-restrictions/${CN_GALLIUM_LICENSING.id}`;

      const now = await recorder.read(path);
      expect(now.status).toBe(200);
      expect(now.body).toEqual({
        restrictionId: 'cn-gallium-germanium-2023',
        imposedBy: 'CN',
        measure: 'licensing',
        materials: ['gallium', 'germanium'],
        appliesTo: ['*'],
        announcedOn: '2023-07-03',
        effectiveFrom: '2023-08-01',
        liftedFrom: '2027-01-01',
        legalReference: 'MOFCOM/GAC Announcement No. 23 [2023]',
        history: [
          {
            event: 'imposed',
            from: '2023-08-01',
            effectiveAt: '2023-07-03T00:00:00.000Z',
            recordedAt: expect.any(String),
            position: imposed.position,
          },
          {
            event: 'lifted',
            from: '2027-01-01',
            effectiveAt: '2026-12-01T00:00:00.000Z',
            recordedAt: expect.any(String),
            position: lifted.position,
          },
        ],
      });

      const beforeLift = await recorder.read(`${path}?knownAt=${imposed.position}`);
      expect(beforeLift.body).toMatchObject({ liftedFrom: null, history: [{ event: 'imposed' }] });
      expect(beforeLift.body.history).toHaveLength(1);
      expectProblem(await recorder.read(`${path}?knownAt=${before.position}`), 404, 'not-found');
      expectProblem(await recorder.read('/export-restrictions/no-such-measure'), 404, 'not-found');

      const csv = parseCsv((await recorder.read(`${path}?format=csv`)).text);
      expect(csv.map((row) => row.slice(0, 3))).toEqual([
        ['restrictionId', 'event', 'from'],
        ['cn-gallium-germanium-2023', 'imposed', '2023-08-01'],
        ['cn-gallium-germanium-2023', 'lifted', '2027-01-01'],
      ]);
    });
  });
});
