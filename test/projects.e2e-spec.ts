import { SqliteEventStore, WrongExpectedRevisionError } from '@ledger/event-store';
import { expectAuthorisationRefusals, expectFieldRefused, storedEvents } from './support/command-checks';
import { expectProblem, LedgerHarness } from './support/ledger-harness';

/** NMG's Bécancour plant: 42,616 t/yr of coated spherical purified graphite (2022 feasibility study). */
const becancour = {
  id: 'nmg-becancour',
  name: 'Bécancour battery material plant',
  operator: 'Nouveau Monde Graphite',
  country: 'CA',
  materials: ['graphite-anode', 'graphite-spherical'],
  stage: 'construction',
  effectiveAt: '2022-08-01',
};
const capacity = {
  material: 'graphite-anode',
  annualCapacity: { amount: '42616', unit: 't' },
  effectiveAt: '2022-08-01',
};
/** NMG → Panasonic Energy: 18,000 t/yr of anode material for 7 years (NMG release, 15 Feb 2024). */
const panasonic = {
  offtakeId: 'panasonic-aam',
  buyer: 'Panasonic Energy',
  buyerCountry: 'JP',
  material: 'graphite-anode',
  annualVolume: { amount: '18000', unit: 't' },
  startsOn: '2023-01-01',
  endsOn: '2030-01-01',
  effectiveAt: '2024-02-15',
};
/** EDC + CIB: the US$290M term loan of the US$335M package (NMG releases). */
const termLoan = {
  financingId: 'edc-cib-term-loan',
  financier: 'Export Development Canada and Canada Infrastructure Bank',
  financierCountry: 'CA',
  instrument: 'debt',
  amount: { amount: '290000000.00', currency: 'USD' },
  effectiveAt: '2025-01-15',
};
const delivery = {
  quantity: { amount: '1500', unit: 't' },
  deliveredOn: '2024-02-15',
  effectiveAt: '2024-02-15',
};
const termination = {
  reason: 'buyer invoked force majeure',
  effectiveOn: '2026-01-01',
  effectiveAt: '2025-10-01',
};

const PROJECT = '/projects/nmg-becancour';
const STREAM = 'project-nmg-becancour';
const OFFTAKE = `${PROJECT}/offtakes/panasonic-aam`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Projects over HTTP', () => {
  let ledger: LedgerHarness;

  beforeEach(async () => {
    ledger = await LedgerHarness.start();
  });
  afterEach(async () => {
    await ledger.stop();
  });

  /** Registers Bécancour with its anode capacity, and optionally the Panasonic offtake, as admin. */
  async function givenBecancour(options: { withOfftake?: boolean } = {}): Promise<void> {
    expect((await ledger.post('/projects', becancour)).status).toBe(201);
    expect((await ledger.post(`${PROJECT}/capacity`, capacity)).status).toBe(200);
    if (options.withOfftake) expect((await ledger.post(`${PROJECT}/offtakes`, panasonic)).status).toBe(200);
  }

  describe('the walkthrough: register, declare, advance, finance, sign, deliver, terminate', () => {
    it('records every step in the project stream with canonical values and the recorder as actor', async () => {
      const steps = [
        await ledger.post('/projects', becancour, 'nrcan'),
        await ledger.post(`${PROJECT}/capacity`, capacity, 'nrcan'),
        await ledger.post(`${PROJECT}/stage`, { stage: 'commissioning', effectiveAt: '2026-06-01' }, 'nrcan'),
        await ledger.post(`${PROJECT}/financings`, termLoan, 'nrcan'),
        await ledger.post(`${PROJECT}/offtakes`, panasonic, 'nrcan'),
        await ledger.post(`${OFFTAKE}/deliveries`, delivery, 'nrcan'),
        await ledger.post(`${OFFTAKE}/termination`, termination, 'nrcan'),
      ];
      expect(steps.map((step) => step.status)).toEqual([201, 200, 200, 200, 200, 200, 200]);
      steps.forEach((step, index) => {
        expect(step.body).toMatchObject({ streamId: STREAM, revision: String(index) });
        expect(step.body.eventIds).toHaveLength(1);
        expect(step.headers.get('etag')).toBe(`"${index}"`);
      });

      const events = storedEvents(ledger, STREAM);
      expect(events.map((event) => event.type)).toEqual([
        'ProjectRegistered',
        'CapacityDeclared',
        'ProjectStageAdvanced',
        'ProjectFinanced',
        'OfftakeSigned',
        'OfftakeDeliveryRecorded',
        'OfftakeTerminated',
      ]);
      expect(events.map((event) => event.data)).toEqual([
        {
          projectId: 'nmg-becancour',
          name: 'Bécancour battery material plant',
          operator: 'Nouveau Monde Graphite',
          country: 'CA',
          materials: ['graphite-anode', 'graphite-spherical'],
          stage: 'construction',
        },
        { material: 'graphite-anode', annualCapacity: { amount: '42616000', unit: 'kg' } },
        { from: 'construction', to: 'commissioning' },
        {
          financingId: 'edc-cib-term-loan',
          financier: 'Export Development Canada and Canada Infrastructure Bank',
          financierCountry: 'CA',
          instrument: 'debt',
          amount: { amount: '290000000.00', currency: 'USD' },
        },
        {
          offtakeId: 'panasonic-aam',
          buyer: 'Panasonic Energy',
          buyerCountry: 'JP',
          material: 'graphite-anode',
          annualVolume: { amount: '18000000', unit: 'kg' },
          startsOn: '2023-01-01',
          endsOn: '2030-01-01',
        },
        {
          offtakeId: 'panasonic-aam',
          quantity: { amount: '1500000', unit: 'kg' },
          deliveredOn: '2024-02-15',
        },
        { offtakeId: 'panasonic-aam', reason: 'buyer invoked force majeure', effectiveOn: '2026-01-01' },
      ]);
      expect(events.every((event) => event.metadata.actor.name === 'nrcan')).toBe(true);
    });

    it('documents every project command and its body in the OpenAPI document', async () => {
      const openapi = (await ledger.request('GET', '/openapi.json')).body;
      for (const path of [
        '/projects',
        '/projects/{id}/capacity',
        '/projects/{id}/stage',
        '/projects/{id}/financings',
        '/projects/{id}/offtakes',
        '/projects/{id}/offtakes/{offtakeId}/deliveries',
        '/projects/{id}/offtakes/{offtakeId}/termination',
      ]) {
        expect(openapi.paths[path]?.post?.requestBody).toBeDefined();
      }
      const offtake = openapi.components.schemas.SignOfftakeDto;
      expect(offtake.required).toEqual(
        expect.arrayContaining(['buyer', 'buyerCountry', 'material', 'annualVolume', 'startsOn', 'endsOn']),
      );
      expect(offtake.properties.buyer.example).toBe('Panasonic Energy');
      expect(openapi.components.schemas.RegisterProjectDto.properties.materials).toMatchObject({
        type: 'array',
        minItems: 1,
        maxItems: 12,
        items: { enum: expect.arrayContaining(['graphite-anode', 'gallium']) },
      });
      expect(openapi.components.schemas.FinanceProjectDto.properties.instrument.enum).toEqual([
        'equity',
        'debt',
        'grant',
        'guarantee',
        'prepayment',
      ]);
    });
  });

  describe('POST /projects (RegisterProject)', () => {
    it('registers under the client id with 201, and under a server UUID when none is given', async () => {
      const withId = await ledger.post('/projects', becancour, 'nrcan');
      expect(withId.status).toBe(201);
      expect(withId.body).toMatchObject({ streamId: STREAM, revision: '0' });
      expect(withId.body.position).toMatch(/^[0-9]+$/);

      const { id: _id, ...withoutId } = becancour;
      const server = await ledger.post('/projects', withoutId, 'nrcan');
      expect(server.status).toBe(201);
      expect(server.body.streamId.slice('project-'.length)).toMatch(UUID);
      const again = await ledger.post('/projects', withoutId, 'nrcan');
      expect(again.body.streamId).not.toBe(server.body.streamId);
    });

    it('gives one entity for one Idempotency-Key, replaying the first response', async () => {
      const { id: _id, ...withoutId } = becancour;
      const headers = { 'idempotency-key': 'register-becancour-1' };
      const first = await ledger.post('/projects', withoutId, 'nrcan', headers);
      const second = await ledger.post('/projects', withoutId, 'nrcan', headers);
      expect(first.status).toBe(201);
      expect([second.status, second.body]).toEqual([first.status, first.body]);
      expect(storedEvents(ledger, first.body.streamId)).toHaveLength(1);
    });

    it('refuses a second registration under the same id with 409 and appends nothing', async () => {
      await ledger.post('/projects', becancour, 'nrcan');
      expectProblem(
        await ledger.post('/projects', { ...becancour, name: 'another' }, 'nrcan'),
        409,
        'conflict',
      );
      expect(storedEvents(ledger, STREAM)).toHaveLength(1);
    });

    it.each([
      ['an unknown country', { country: 'XX' }, 'country'],
      ['a lower-case country', { country: 'ca' }, 'country'],
      ['no material', { materials: [] }, 'materials'],
      [
        'more materials than the catalogue holds',
        { materials: Array(13).fill('graphite-anode') },
        'materials',
      ],
      ['a material outside the catalogue', { materials: ['graphite-anode', 'graphite'] }, 'materials[1]'],
      ['a material that is not a string', { materials: [7] }, 'materials'],
      ['an unknown stage', { stage: 'mining' }, 'stage'],
      ['a suspended start', { stage: 'suspended' }, 'stage'],
      ['a blank name', { name: '   ' }, 'name'],
      ['an id outside the client-id pattern', { id: 'NMG_Becancour' }, 'id'],
      ['an effectiveAt that does not exist', { effectiveAt: '2022-02-29' }, 'effectiveAt'],
      ['an unknown field', { capacity: '42616' }, 'capacity'],
    ])('refuses %s, naming the field', async (_case, change, field) => {
      expectFieldRefused(await ledger.post('/projects', { ...becancour, ...change }), field);
      expect(storedEvents(ledger, STREAM)).toHaveLength(0);
    });

    it('refuses an operator over 200 characters as out-of-range, naming the field', async () => {
      const overLong = { ...becancour, operator: 'x'.repeat(201) };
      expectFieldRefused(await ledger.post('/projects', overLong), 'operator', 'out-of-range');
      expect(storedEvents(ledger, STREAM)).toHaveLength(0);
    });

    it('refuses a missing required field, naming it', async () => {
      const { operator: _operator, ...withoutOperator } = becancour;
      expectFieldRefused(await ledger.post('/projects', withoutOperator), 'operator');
    });

    it('refuses keys without the project’s country, readers, auditors and requests without a key', async () => {
      await expectAuthorisationRefusals(ledger, '/projects', becancour, STREAM, ['jogmec', 'bafa']);
    });

    it('refuses a foreign recorder re-registering an existing id with 403, not 409', async () => {
      await ledger.post('/projects', becancour, 'nrcan');
      expectProblem(
        await ledger.post('/projects', { ...becancour, country: 'JP' }, 'jogmec'),
        403,
        'forbidden',
      );
    });

    it('refuses a material listed twice with 422 duplicate-material', async () => {
      const response = await ledger.post('/projects', {
        ...becancour,
        materials: ['graphite-anode', 'graphite-anode'],
      });
      expectProblem(response, 422, 'duplicate-material');
    });
  });

  describe('POST /projects/{id}/capacity (DeclareCapacity)', () => {
    it('declares capacity and lets a later declaration replace it', async () => {
      await ledger.post('/projects', becancour, 'nrcan');
      expect((await ledger.post(`${PROJECT}/capacity`, capacity, 'nrcan')).status).toBe(200);
      const raised = await ledger.post(
        `${PROJECT}/capacity`,
        { ...capacity, annualCapacity: { amount: '45000000', unit: 'kg' } },
        'nrcan',
      );
      expect(raised.status).toBe(200);
      expect(storedEvents(ledger, STREAM)[2]!.data.annualCapacity).toEqual({
        amount: '45000000',
        unit: 'kg',
      });
    });

    it.each([
      ['an exponent', { annualCapacity: { amount: '4.2616e4', unit: 't' } }, 'annualCapacity.amount'],
      ['a JSON number', { annualCapacity: { amount: 42616, unit: 't' } }, 'annualCapacity.amount'],
      ['an unknown unit', { annualCapacity: { amount: '42616', unit: 'st' } }, 'annualCapacity.unit'],
      ['zero', { annualCapacity: { amount: '0', unit: 't' } }, 'annualCapacity.amount'],
      ['a string for the quantity', { annualCapacity: '42616 t' }, 'annualCapacity'],
      ['no quantity', { annualCapacity: undefined }, 'annualCapacity'],
      ['an unknown material', { material: 'graphite' }, 'material'],
    ])('refuses %s, naming the field', async (_case, change, field) => {
      await ledger.post('/projects', becancour);
      expectFieldRefused(await ledger.post(`${PROJECT}/capacity`, { ...capacity, ...change }), field);
    });

    it('refuses finer than gram precision with precision-exceeded', async () => {
      await ledger.post('/projects', becancour);
      const response = await ledger.post(`${PROJECT}/capacity`, {
        ...capacity,
        annualCapacity: { amount: '42616.0000001', unit: 't' },
      });
      expectFieldRefused(response, 'annualCapacity.amount', 'precision-exceeded');
    });

    it('refuses keys without the project’s country, readers, auditors and requests without a key', async () => {
      await ledger.post('/projects', becancour);
      await expectAuthorisationRefusals(ledger, `${PROJECT}/capacity`, capacity, STREAM, ['jogmec', 'bafa']);
    });

    it('refuses a material the project does not produce with 422 material-not-in-project', async () => {
      await ledger.post('/projects', becancour);
      const response = await ledger.post(`${PROJECT}/capacity`, { ...capacity, material: 'gallium' });
      expectProblem(response, 422, 'material-not-in-project');
    });

    it('refuses capacity below what the offtake book commits with 422 capacity-below-commitments', async () => {
      await givenBecancour({ withOfftake: true });
      const response = await ledger.post(`${PROJECT}/capacity`, {
        ...capacity,
        annualCapacity: { amount: '17999.999', unit: 't' },
      });
      expectProblem(response, 422, 'capacity-below-commitments');
    });

    it('answers 404 for a project that does not exist, whoever asks', async () => {
      expectProblem(await ledger.post('/projects/nowhere/capacity', capacity, 'jogmec'), 404, 'not-found');
      expectProblem(await ledger.post('/projects/Not_An_Id/capacity', capacity), 404, 'not-found');
    });
  });

  describe('POST /projects/{id}/stage (AdvanceStage)', () => {
    it('moves forward, skipping stages, and into and out of suspension', async () => {
      await ledger.post('/projects', becancour, 'nrcan');
      for (const stage of ['production', 'suspended', 'production', 'closed']) {
        expect((await ledger.post(`${PROJECT}/stage`, { stage }, 'nrcan')).status).toBe(200);
      }
      expect(storedEvents(ledger, STREAM).map((event) => event.data.to)).toEqual([
        undefined,
        'production',
        'suspended',
        'production',
        'closed',
      ]);
    });

    it.each([
      ['an unknown stage', { stage: 'operating' }, 'stage'],
      ['no stage', {}, 'stage'],
      [
        'a date-time without offset',
        { stage: 'production', effectiveAt: '2027-01-01T09:00:00' },
        'effectiveAt',
      ],
    ])('refuses %s, naming the field', async (_case, body, field) => {
      await ledger.post('/projects', becancour);
      expectFieldRefused(await ledger.post(`${PROJECT}/stage`, body), field);
    });

    it('refuses keys without the project’s country, readers, auditors and requests without a key', async () => {
      await ledger.post('/projects', becancour);
      const body = { stage: 'commissioning' };
      await expectAuthorisationRefusals(ledger, `${PROJECT}/stage`, body, STREAM, ['jogmec', 'bafa']);
    });

    it('refuses moving back with 422 stage-regression', async () => {
      await ledger.post('/projects', becancour);
      expectProblem(await ledger.post(`${PROJECT}/stage`, { stage: 'feasibility' }), 422, 'stage-regression');
      expectProblem(
        await ledger.post(`${PROJECT}/stage`, { stage: 'construction' }),
        422,
        'stage-regression',
      );
    });

    it('refuses every command on a closed project with 422 project-closed', async () => {
      await givenBecancour({ withOfftake: true });
      await ledger.post(`${PROJECT}/stage`, { stage: 'closed' });
      expectProblem(await ledger.post(`${PROJECT}/stage`, { stage: 'production' }), 422, 'project-closed');
      expectProblem(await ledger.post(`${PROJECT}/financings`, termLoan), 422, 'project-closed');
      expectProblem(await ledger.post(`${OFFTAKE}/deliveries`, delivery), 422, 'project-closed');
    });
  });

  describe('POST /projects/{id}/financings (FinanceProject)', () => {
    it('records financings under the client id or a server UUID, in their own currency', async () => {
      await ledger.post('/projects', becancour);
      expect((await ledger.post(`${PROJECT}/financings`, termLoan, 'nrcan')).status).toBe(200);
      const equity = await ledger.post(
        `${PROJECT}/financings`,
        {
          financier: 'Panasonic Energy',
          financierCountry: 'JP',
          instrument: 'equity',
          amount: { amount: '25000000', currency: 'USD' },
          effectiveAt: '2024-02-15',
        },
        'nrcan',
      );
      expect(equity.status).toBe(200);
      const data = storedEvents(ledger, STREAM)[2]!.data;
      expect(data.financingId).toMatch(UUID);
      expect(data.amount).toEqual({ amount: '25000000.00', currency: 'USD' });
    });

    it.each([
      ['an unknown instrument', { instrument: 'loan' }, 'instrument'],
      ['an unknown currency', { amount: { amount: '290000000.00', currency: 'XYZ' } }, 'amount.currency'],
      ['a malformed currency', { amount: { amount: '290000000.00', currency: 'usd' } }, 'amount.currency'],
      ['a negative amount', { amount: { amount: '-1.00', currency: 'USD' } }, 'amount.amount'],
      [
        'an amount with a thousands separator',
        { amount: { amount: '290,000,000', currency: 'USD' } },
        'amount.amount',
      ],
      ['no amount', { amount: undefined }, 'amount'],
      ['an unknown financier country', { financierCountry: 'ZZ' }, 'financierCountry'],
      ['a malformed financingId', { financingId: '-edc' }, 'financingId'],
    ])('refuses %s, naming the field', async (_case, change, field) => {
      await ledger.post('/projects', becancour);
      expectFieldRefused(await ledger.post(`${PROJECT}/financings`, { ...termLoan, ...change }), field);
    });

    it('refuses a financier name longer than 200 characters with out-of-range', async () => {
      await ledger.post('/projects', becancour);
      const overLong = { ...termLoan, financier: 'x'.repeat(201) };
      expectFieldRefused(await ledger.post(`${PROJECT}/financings`, overLong), 'financier', 'out-of-range');
    });

    it('refuses more decimals than the currency has with precision-exceeded', async () => {
      await ledger.post('/projects', becancour);
      const yen = await ledger.post(`${PROJECT}/financings`, {
        ...termLoan,
        amount: { amount: '1000000.5', currency: 'JPY' },
      });
      expectFieldRefused(yen, 'amount.amount', 'precision-exceeded');
    });

    it('refuses keys without the project’s country, readers, auditors and requests without a key', async () => {
      await ledger.post('/projects', becancour);
      await expectAuthorisationRefusals(ledger, `${PROJECT}/financings`, termLoan, STREAM, [
        'jogmec',
        'bafa',
      ]);
    });

    it('refuses a financingId used before with 409', async () => {
      await ledger.post('/projects', becancour);
      await ledger.post(`${PROJECT}/financings`, termLoan);
      expectProblem(await ledger.post(`${PROJECT}/financings`, termLoan), 409, 'conflict');
    });
  });

  describe('POST /projects/{id}/offtakes (SignOfftake)', () => {
    it('signs offtakes up to the capacity, and again once a term ends or an offtake is terminated', async () => {
      await givenBecancour();
      expect((await ledger.post(`${PROJECT}/offtakes`, panasonic, 'nrcan')).status).toBe(200);
      // 18,000 + 24,616 = 42,616 t: exactly the capacity
      const rest = { ...panasonic, offtakeId: undefined, buyer: 'Ultium Cells', buyerCountry: 'US' };
      const fill = { ...rest, annualVolume: { amount: '24616', unit: 't' } };
      expect((await ledger.post(`${PROJECT}/offtakes`, fill, 'nrcan')).status).toBe(200);
      // a term starting the day Panasonic's ends does not overlap it
      const after = {
        ...rest,
        annualVolume: { amount: '18000', unit: 't' },
        startsOn: '2030-01-01',
        endsOn: '2037-01-01',
      };
      expect((await ledger.post(`${PROJECT}/offtakes`, after, 'nrcan')).status).toBe(200);
      // terminating Panasonic from 2026 frees its 18,000 t from then on
      await ledger.post(`${OFFTAKE}/termination`, termination, 'nrcan');
      const freed = { ...after, startsOn: '2026-01-01', endsOn: '2030-01-01' };
      expect((await ledger.post(`${PROJECT}/offtakes`, freed, 'nrcan')).status).toBe(200);
      const signed = storedEvents(ledger, STREAM).filter((event) => event.type === 'OfftakeSigned');
      expect(signed.map((event) => event.data.offtakeId)).toEqual([
        'panasonic-aam',
        expect.stringMatching(UUID),
        expect.stringMatching(UUID),
        expect.stringMatching(UUID),
      ]);
    });

    it.each([
      ['a start date that does not exist', { startsOn: '2027-02-29' }, 'startsOn'],
      ['an end date with a time', { endsOn: '2030-01-01T00:00:00Z' }, 'endsOn'],
      ['a year beyond the ledger’s horizon', { endsOn: '2101-01-01' }, 'endsOn'],
      ['a lower-case buyer country', { buyerCountry: 'jp' }, 'buyerCountry'],
      ['a volume as a JSON number', { annualVolume: { amount: 18000, unit: 't' } }, 'annualVolume.amount'],
      ['a volume without its unit', { annualVolume: { amount: '18000' } }, 'annualVolume.unit'],
      [
        'a volume with an extra field',
        { annualVolume: { amount: '18000', unit: 't', per: 'year' } },
        'annualVolume.per',
      ],
      ['an unknown material', { material: 'anode' }, 'material'],
      ['an empty buyer', { buyer: '' }, 'buyer'],
      ['a malformed offtakeId', { offtakeId: 'Panasonic AAM' }, 'offtakeId'],
    ])('refuses %s, naming the field', async (_case, change, field) => {
      await givenBecancour();
      expectFieldRefused(await ledger.post(`${PROJECT}/offtakes`, { ...panasonic, ...change }), field);
    });

    it('refuses keys of neither the project’s nor the buyer’s country, readers, auditors and requests without a key', async () => {
      await givenBecancour();
      await expectAuthorisationRefusals(ledger, `${PROJECT}/offtakes`, panasonic, STREAM, ['bafa']);
    });

    it('lets the buyer’s country record the offtake, its deliveries and its termination (DOMAIN.md)', async () => {
      await givenBecancour();
      expect((await ledger.post(`${PROJECT}/offtakes`, panasonic, 'jogmec')).status).toBe(200);
      expect((await ledger.post(`${OFFTAKE}/deliveries`, delivery, 'jogmec')).status).toBe(200);
      expect((await ledger.post(`${OFFTAKE}/termination`, termination, 'jogmec')).status).toBe(200);
      // but not the rest of the project
      const stage = { stage: 'commissioning', effectiveAt: '2026-06-01' };
      const refused = await ledger.post(`${PROJECT}/stage`, stage, 'jogmec');
      expectProblem(refused, 403, 'forbidden');
      // the refusal names the key's countries, not the project's
      expect(refused.body.detail).toMatch(/JP/);
      expect(refused.body.detail).not.toMatch(/CA/);
    });

    it('refuses an offtake above the capacity on any day of its term with 422 capacity-exceeded', async () => {
      await givenBecancour({ withOfftake: true });
      const government = {
        ...panasonic,
        offtakeId: 'canada-aam',
        buyer: 'Government of Canada',
        buyerCountry: 'CA',
        annualVolume: { amount: '24616.001', unit: 't' },
        startsOn: '2029-12-31',
        endsOn: '2036-12-31',
      };
      expectProblem(await ledger.post(`${PROJECT}/offtakes`, government), 422, 'capacity-exceeded');
      expect(storedEvents(ledger, STREAM)).toHaveLength(3);
    });

    it.each([
      ['a material without declared capacity', 'capacity-not-declared', { material: 'graphite-spherical' }],
      ['a material the project does not produce', 'material-not-in-project', { material: 'ndpr-oxide' }],
      ['a term that ends before it starts', 'invalid-term', { startsOn: '2030-01-01', endsOn: '2023-01-01' }],
    ])('refuses %s with 422 %s', async (_case, code, change) => {
      await givenBecancour();
      expectProblem(await ledger.post(`${PROJECT}/offtakes`, { ...panasonic, ...change }), 422, code);
    });

    it('refuses an offtakeId used before with 409', async () => {
      await givenBecancour({ withOfftake: true });
      const small = { ...panasonic, annualVolume: { amount: '1', unit: 't' } };
      expectProblem(await ledger.post(`${PROJECT}/offtakes`, small), 409, 'conflict');
    });
  });

  describe('POST /projects/{id}/offtakes/{offtakeId}/deliveries (RecordDelivery)', () => {
    it('records deliveries within the term', async () => {
      await givenBecancour({ withOfftake: true });
      expect((await ledger.post(`${OFFTAKE}/deliveries`, delivery, 'nrcan')).status).toBe(200);
      const first = { ...delivery, deliveredOn: '2023-01-01', quantity: { amount: '1499999.5', unit: 'kg' } };
      expect((await ledger.post(`${OFFTAKE}/deliveries`, first, 'nrcan')).status).toBe(200);
      expect(storedEvents(ledger, STREAM)[4]!.data.quantity).toEqual({ amount: '1499999.5', unit: 'kg' });
    });

    it.each([
      ['a day in another format', { deliveredOn: '15/02/2024' }, 'deliveredOn'],
      ['no day', { deliveredOn: undefined }, 'deliveredOn'],
      ['an unknown unit', { quantity: { amount: '1500', unit: 'lb' } }, 'quantity.unit'],
      ['a negative quantity', { quantity: { amount: '-1500', unit: 't' } }, 'quantity.amount'],
    ])('refuses %s, naming the field', async (_case, change, field) => {
      await givenBecancour({ withOfftake: true });
      expectFieldRefused(await ledger.post(`${OFFTAKE}/deliveries`, { ...delivery, ...change }), field);
    });

    it('refuses keys of neither the project’s nor the buyer’s country, readers, auditors and requests without a key', async () => {
      await givenBecancour({ withOfftake: true });
      await expectAuthorisationRefusals(ledger, `${OFFTAKE}/deliveries`, delivery, STREAM, ['bafa']);
    });

    it('refuses a delivery outside the term with 422 delivery-outside-term', async () => {
      await givenBecancour({ withOfftake: true });
      const response = await ledger.post(`${OFFTAKE}/deliveries`, { ...delivery, deliveredOn: '2022-12-31' });
      expectProblem(response, 422, 'delivery-outside-term');
    });

    it('refuses a delivery on a day that has not come yet with 422 effective-in-future', async () => {
      await givenBecancour({ withOfftake: true });
      const response = await ledger.post(`${OFFTAKE}/deliveries`, {
        quantity: delivery.quantity,
        deliveredOn: '2029-06-01',
      });
      expectProblem(response, 422, 'effective-in-future');
      expect(storedEvents(ledger, STREAM)).toHaveLength(3);
    });

    it('refuses a delivery on or after the termination with 422 offtake-terminated', async () => {
      await givenBecancour({ withOfftake: true });
      await ledger.post(`${OFFTAKE}/termination`, termination);
      const response = await ledger.post(`${OFFTAKE}/deliveries`, { ...delivery, deliveredOn: '2026-01-01' });
      expectProblem(response, 422, 'offtake-terminated');
    });

    it('answers 404 for an offtake the project never signed', async () => {
      await givenBecancour({ withOfftake: true });
      expectProblem(await ledger.post(`${PROJECT}/offtakes/unknown/deliveries`, delivery), 404, 'not-found');
      expectProblem(
        await ledger.post(`${PROJECT}/offtakes/Not%20An%20Id/deliveries`, delivery),
        404,
        'not-found',
      );
    });
  });

  describe('POST /projects/{id}/offtakes/{offtakeId}/termination (TerminateOfftake)', () => {
    it('terminates an offtake from a day within its term', async () => {
      await givenBecancour({ withOfftake: true });
      const response = await ledger.post(`${OFFTAKE}/termination`, termination, 'nrcan');
      expect(response.status).toBe(200);
      expect(response.body.revision).toBe('3');
    });

    it.each([
      ['an empty reason', { reason: '' }, 'reason'],
      ['a blank reason', { reason: ' \n ' }, 'reason'],
      ['a reason with a control character', { reason: 'force\u0000majeure' }, 'reason'],
      ['a reason that is not text', { reason: ['force majeure'] }, 'reason'],
      ['a day that does not exist', { effectiveOn: '2030-04-31' }, 'effectiveOn'],
    ])('refuses %s, naming the field', async (_case, change, field) => {
      await givenBecancour({ withOfftake: true });
      expectFieldRefused(await ledger.post(`${OFFTAKE}/termination`, { ...termination, ...change }), field);
    });

    it('refuses keys of neither the project’s nor the buyer’s country, readers, auditors and requests without a key', async () => {
      await givenBecancour({ withOfftake: true });
      await expectAuthorisationRefusals(ledger, `${OFFTAKE}/termination`, termination, STREAM, ['bafa']);
    });

    it('refuses terminating twice with 422 offtake-terminated', async () => {
      await givenBecancour({ withOfftake: true });
      await ledger.post(`${OFFTAKE}/termination`, termination);
      const again = await ledger.post(`${OFFTAKE}/termination`, {
        ...termination,
        effectiveOn: '2027-01-01',
      });
      expectProblem(again, 422, 'offtake-terminated');
    });

    it('refuses a day outside the term with 422 termination-outside-term', async () => {
      await givenBecancour({ withOfftake: true });
      const response = await ledger.post(`${OFFTAKE}/termination`, {
        ...termination,
        effectiveOn: '2030-01-01',
      });
      expectProblem(response, 422, 'termination-outside-term');
    });

    it('refuses a back-dated termination that would strand a delivery with 422 deliveries-after-termination', async () => {
      await givenBecancour({ withOfftake: true });
      await ledger.post(`${OFFTAKE}/deliveries`, { ...delivery, deliveredOn: '2026-03-01' });
      const response = await ledger.post(`${OFFTAKE}/termination`, termination);
      expectProblem(response, 422, 'deliveries-after-termination');
    });
  });

  describe('concurrent signings', () => {
    afterEach(() => jest.restoreAllMocks());

    /**
     * The embedded store answers synchronously, so requests arriving one after another over HTTP may each
     * finish before the next is read. Holding every stream read back for a moment makes all racers decide
     * on the same revision, so the losers' appends really conflict and are decided again.
     */
    function holdBackStreamReads(): { conflicts: () => number } {
      let conflicts = 0;
      const read = SqliteEventStore.prototype.readStream;
      const append = SqliteEventStore.prototype.append;
      jest.spyOn(SqliteEventStore.prototype, 'readStream').mockImplementation(async function (
        this: SqliteEventStore,
        ...args: Parameters<typeof read>
      ) {
        const events = await read.apply(this, args);
        await new Promise((resolve) => setTimeout(resolve, 25));
        return events;
      });
      jest.spyOn(SqliteEventStore.prototype, 'append').mockImplementation(async function (
        this: SqliteEventStore,
        ...args: Parameters<typeof append>
      ) {
        // Appends wait too: a racer that decided on the handler's cached fold (no read) appends late as well.
        await new Promise((resolve) => setTimeout(resolve, 25));
        try {
          return await append.apply(this, args);
        } catch (error) {
          if (error instanceof WrongExpectedRevisionError) conflicts += 1;
          throw error;
        }
      });
      return { conflicts: () => conflicts };
    }

    async function raceForTheLastCapacity(
      round: number,
      racers: number,
      ledgers: LedgerHarness[] = [ledger],
    ): Promise<void> {
      const projectId = `becancour-race-${round}`;
      await ledger.post('/projects', { ...becancour, id: projectId }, 'nrcan');
      await ledger.post(`/projects/${projectId}/capacity`, capacity, 'nrcan');
      await ledger.post(`/projects/${projectId}/offtakes`, panasonic, 'nrcan');

      // 18,000 t are signed; each racer asks for the remaining 24,616 t over an overlapping term
      const responses = await Promise.all(
        Array.from({ length: racers }, (_unused, racer) =>
          ledgers[racer % ledgers.length]!.post(
            `/projects/${projectId}/offtakes`,
            {
              ...panasonic,
              offtakeId: `racer-${racer}`,
              buyer: `Buyer ${racer}`,
              annualVolume: { amount: '24616', unit: 't' },
              startsOn: '2024-01-01',
              endsOn: '2031-01-01',
            },
            racer % 2 === 0 ? 'nrcan' : 'admin',
          ),
        ),
      );

      const accepted = responses.filter((response) => response.status >= 200 && response.status < 300);
      const refused = responses.filter((response) => response.status === 422);
      expect({ round, accepted: accepted.length, refused: refused.length }).toEqual({
        round,
        accepted: 1,
        refused: racers - 1,
      });
      for (const response of refused) expectProblem(response, 422, 'capacity-exceeded');
      expect(accepted[0]!.body.revision).toBe('3');
      const signed = storedEvents(ledger, `project-${projectId}`).filter(
        (event) => event.type === 'OfftakeSigned',
      );
      expect(signed.map((event) => event.data.offtakeId)).toEqual([
        'panasonic-aam',
        expect.stringMatching(/^racer-/),
      ]);
    }

    it('accepts exactly one of eight offtakes sent at once for the last capacity, round after round', async () => {
      for (let round = 0; round < 10; round += 1) await raceForTheLastCapacity(round, 8);
    }, 30_000);

    it('decides the racers of one process one after another, so none of them conflicts', async () => {
      const store = holdBackStreamReads();
      await raceForTheLastCapacity(0, 8);
      expect(store.conflicts()).toBe(0);
    }, 30_000);

    it('still accepts exactly one when racers in two processes decided on the same revision and the losers must retry', async () => {
      const store = holdBackStreamReads();
      const second = await LedgerHarness.beside(ledger);
      try {
        for (let round = 0; round < 10; round += 1) {
          const before = store.conflicts();
          await raceForTheLastCapacity(round, 8, [ledger, second]);
          // losers found the stream moved on when appending, and were decided again on a fresh read
          expect({ round, conflicted: store.conflicts() > before }).toEqual({ round, conflicted: true });
        }
      } finally {
        await second.stop();
      }
    }, 60_000);
  });
});
