import { expectAuthorisationRefusals, expectFieldRefused, storedEvents } from './support/command-checks';
import { expectProblem, LedgerHarness } from './support/ledger-harness';

/**
 * Japan's natural-graphite imports in 2023, more than 80% from China (Jiji Press, Dec 2023); the tonnages
 * are illustrative figures with that split.
 */
const fromChina = {
  importer: 'JP',
  exporter: 'CN',
  material: 'graphite-flake',
  year: 2023,
  annualQuantity: { amount: '36000', unit: 't' },
  effectiveAt: '2024-03-01',
};
const fromMozambique = { ...fromChina, exporter: 'MZ', annualQuantity: { amount: '4500', unit: 't' } };
const japanConsumption = {
  country: 'JP',
  material: 'graphite-flake',
  year: 2023,
  annualQuantity: { amount: '41200.5', unit: 't' },
  effectiveAt: '2024-03-01',
};

describe('Supply statistics over HTTP', () => {
  let ledger: LedgerHarness;

  beforeEach(async () => {
    ledger = await LedgerHarness.start();
  });
  afterEach(async () => {
    await ledger.stop();
  });

  describe('POST /supply/trade-flows (RecordTradeFlow)', () => {
    it('records flows in the importer’s stream: 201 when it starts, 200 after', async () => {
      const first = await ledger.post('/supply/trade-flows', fromChina, 'jogmec');
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ streamId: 'supply-JP', revision: '0' });
      const second = await ledger.post('/supply/trade-flows', fromMozambique, 'jogmec');
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ streamId: 'supply-JP', revision: '1' });
      expect(storedEvents(ledger, 'supply-JP').map((event) => event.data)).toEqual([
        {
          importer: 'JP',
          exporter: 'CN',
          material: 'graphite-flake',
          year: 2023,
          annualQuantity: { amount: '36000000', unit: 'kg' },
        },
        {
          importer: 'JP',
          exporter: 'MZ',
          material: 'graphite-flake',
          year: 2023,
          annualQuantity: { amount: '4500000', unit: 'kg' },
        },
      ]);
    });

    it('accepts a revised statistic as a new fact beside the old one', async () => {
      await ledger.post('/supply/trade-flows', fromChina, 'jogmec');
      const revised = await ledger.post(
        '/supply/trade-flows',
        { ...fromChina, annualQuantity: { amount: '36250', unit: 't' }, effectiveAt: '2024-09-01' },
        'jogmec',
      );
      expect(revised.status).toBe(200);
      expect(storedEvents(ledger, 'supply-JP').map((event) => event.data.annualQuantity.amount)).toEqual([
        '36000000',
        '36250000',
      ]);
    });

    it.each([
      ['a fractional year', { year: 2023.5 }, 'year'],
      ['a year as a string', { year: '2023' }, 'year'],
      ['a year before 1900', { year: 1899 }, 'year'],
      ['a year after 2100', { year: 2101 }, 'year'],
      ['no year', { year: undefined }, 'year'],
      ['an unknown importer', { importer: 'XX' }, 'importer'],
      ['an exporter given in alpha-3', { exporter: 'CHN' }, 'exporter'],
      ['a material outside the catalogue', { material: 'graphite' }, 'material'],
      [
        'an amount with a thousands separator',
        { annualQuantity: { amount: '36,000', unit: 't' } },
        'annualQuantity.amount',
      ],
      ['an unknown unit', { annualQuantity: { amount: '36000', unit: 'tonnes' } }, 'annualQuantity.unit'],
      ['no quantity', { annualQuantity: undefined }, 'annualQuantity'],
      ['an unknown field', { hsCode: '2504.10' }, 'hsCode'],
    ])('refuses %s, naming the field', async (_case, change, field) => {
      expectFieldRefused(await ledger.post('/supply/trade-flows', { ...fromChina, ...change }), field);
      expect(storedEvents(ledger, 'supply-JP')).toHaveLength(0);
    });

    it('refuses finer than gram precision with precision-exceeded', async () => {
      const response = await ledger.post('/supply/trade-flows', {
        ...fromChina,
        annualQuantity: { amount: '0.5', unit: 'g' },
      });
      expectFieldRefused(response, 'annualQuantity.amount', 'precision-exceeded');
    });

    it('refuses recorders of other countries (also the exporter’s), readers, auditors and requests without a key', async () => {
      await expectAuthorisationRefusals(ledger, '/supply/trade-flows', fromChina, 'supply-JP', [
        'nrcan',
        'bafa',
      ]);
      const toCanada = { ...fromChina, importer: 'CA', exporter: 'JP' };
      expectProblem(await ledger.post('/supply/trade-flows', toCanada, 'jogmec'), 403, 'forbidden');
      expect(storedEvents(ledger, 'supply-CA')).toHaveLength(0);
      expect((await ledger.post('/supply/trade-flows', toCanada, 'nrcan')).status).toBe(201);
    });

    it('refuses a flow from a country to itself with 422 same-country', async () => {
      const response = await ledger.post('/supply/trade-flows', { ...fromChina, exporter: 'JP' }, 'jogmec');
      expectProblem(response, 422, 'same-country');
      expect(storedEvents(ledger, 'supply-JP')).toHaveLength(0);
    });
  });

  describe('POST /supply/consumption (RecordConsumption)', () => {
    it('records consumption in the consuming country’s stream, beside its trade flows', async () => {
      await ledger.post('/supply/trade-flows', fromChina, 'jogmec');
      const response = await ledger.post('/supply/consumption', japanConsumption, 'jogmec');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ streamId: 'supply-JP', revision: '1' });
      expect(storedEvents(ledger, 'supply-JP')[1]).toMatchObject({
        type: 'ConsumptionRecorded',
        data: {
          country: 'JP',
          material: 'graphite-flake',
          year: 2023,
          annualQuantity: { amount: '41200500', unit: 'kg' },
        },
      });
      const canada = await ledger.post(
        '/supply/consumption',
        { ...japanConsumption, country: 'CA' },
        'nrcan',
      );
      expect(canada.status).toBe(201);
      expect(canada.body.streamId).toBe('supply-CA');
    });

    it.each([
      ['a country given in alpha-3', { country: 'JPN' }, 'country'],
      ['a lower-case country', { country: 'jp' }, 'country'],
      ['a year as a decimal string', { year: '2023.0' }, 'year'],
      ['a year after 2100', { year: 2500 }, 'year'],
      ['zero consumption', { annualQuantity: { amount: '0', unit: 't' } }, 'annualQuantity.amount'],
      [
        'a quantity with an exponent',
        { annualQuantity: { amount: '4.12e4', unit: 't' } },
        'annualQuantity.amount',
      ],
      ['an unknown material', { material: 'gallium-oxide' }, 'material'],
      [
        'an effectiveAt with an impossible offset',
        { effectiveAt: '2024-03-01T09:00:00+25:00' },
        'effectiveAt',
      ],
    ])('refuses %s, naming the field', async (_case, change, field) => {
      expectFieldRefused(await ledger.post('/supply/consumption', { ...japanConsumption, ...change }), field);
      expect(storedEvents(ledger, 'supply-JP')).toHaveLength(0);
    });

    it('refuses recorders of other countries, readers, auditors and requests without a key', async () => {
      await expectAuthorisationRefusals(ledger, '/supply/consumption', japanConsumption, 'supply-JP', [
        'nrcan',
        'bafa',
      ]);
    });

    it('refuses a year outside the ledger’s horizon even when the body is otherwise well formed', async () => {
      // RecordConsumption has no business rule (422) of its own: a later figure supersedes an earlier one.
      // Its only domain rule is the year's range, which the DTO already enforces with the same field name.
      expectFieldRefused(
        await ledger.post('/supply/consumption', { ...japanConsumption, year: 1899 }),
        'year',
      );
      expect((await ledger.post('/supply/consumption', japanConsumption)).status).toBe(201);
      const revised = { ...japanConsumption, annualQuantity: { amount: '41000', unit: 't' } };
      expect((await ledger.post('/supply/consumption', revised)).status).toBe(200);
    });
  });

  it('documents both commands and their bodies in the OpenAPI document', async () => {
    const openapi = (await ledger.request('GET', '/openapi.json')).body;
    expect(openapi.paths['/supply/trade-flows'].post.requestBody).toBeDefined();
    expect(openapi.paths['/supply/consumption'].post.requestBody).toBeDefined();
    expect(openapi.components.schemas.RecordTradeFlowDto.properties.year).toMatchObject({
      type: 'integer',
      minimum: 1900,
      maximum: 2100,
      example: 2024,
    });
  });
});
