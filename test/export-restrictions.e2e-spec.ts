import { CN_GALLIUM_LICENSING } from '../libs/domain/src/testing/export-measures';
import { expectAuthorisationRefusals, expectFieldRefused, storedEvents } from './support/command-checks';
import { expectProblem, LedgerHarness } from './support/ledger-harness';

/** MOFCOM/GAC Announcement 23 [2023]: gallium and germanium exports need a licence from 2023-08-01. */
const galliumLicensing = { ...CN_GALLIUM_LICENSING, effectiveAt: '2023-08-01' };
const { id: galliumId, ...galliumAnnounced } = CN_GALLIUM_LICENSING;
/** China's graphite licensing: announced 2023-10-20, effective 2023-12-01. */
const graphiteLicensing = {
  id: 'cn-graphite-2023',
  imposedBy: 'CN',
  materials: ['graphite-flake', 'graphite-spherical', 'graphite-synthetic'],
  measure: 'licensing',
  appliesTo: ['*'],
  announcedOn: '2023-10-20',
  effectiveFrom: '2023-12-01',
  legalReference: 'MOFCOM/GAC Announcement No. 39 [2023]',
};
/** China's dual-use export ban to Japanese military end users, effective 2026-01-06. */
const dualUseBan = {
  id: 'cn-dual-use-jp-2026',
  imposedBy: 'CN',
  materials: ['gallium', 'germanium', 'graphite-spherical'],
  measure: 'ban',
  appliesTo: ['JP'],
  announcedOn: '2026-01-06',
  effectiveFrom: '2026-01-06',
  legalReference: 'MOFCOM Announcement [2026] on dual-use items to Japanese military end users',
};
const lift = { effectiveFrom: '2026-06-01', effectiveAt: '2026-05-20' };

const GALLIUM = '/export-restrictions/cn-gallium-germanium-2023';
const GALLIUM_STREAM = 'exportRestriction-cn-gallium-germanium-2023';

describe('Export restrictions over HTTP', () => {
  let ledger: LedgerHarness;

  beforeEach(async () => {
    ledger = await LedgerHarness.start();
  });
  afterEach(async () => {
    await ledger.stop();
  });

  describe('POST /export-restrictions (RestrictExports)', () => {
    it('records a measure with 201 in its own stream', async () => {
      const response = await ledger.post('/export-restrictions', galliumLicensing, 'bafa');
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ streamId: GALLIUM_STREAM, revision: '0' });
      const [event] = storedEvents(ledger, GALLIUM_STREAM);
      expect(event).toMatchObject({
        type: 'ExportRestricted',
        // the measure as announced, under its id
        data: { restrictionId: galliumId, ...galliumAnnounced },
        metadata: { actor: { name: 'bafa', roles: ['recorder'] } },
      });
    });

    it('lets a recorder of any country record a measure, and names it by a server UUID when no id is given', async () => {
      expect((await ledger.post('/export-restrictions', graphiteLicensing, 'jogmec')).status).toBe(201);
      expect((await ledger.post('/export-restrictions', dualUseBan, 'nrcan')).status).toBe(201);
      const { id: _id, ...withoutId } = galliumLicensing;
      const server = await ledger.post('/export-restrictions', withoutId, 'bafa');
      expect(server.status).toBe(201);
      expect(server.body.streamId).toMatch(
        /^exportRestriction-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    });

    it.each([
      ['an imposing country given in alpha-3', { imposedBy: 'CHN' }, 'imposedBy'],
      ['no destination', { appliesTo: [] }, 'appliesTo'],
      ['an unknown destination', { appliesTo: ['US', 'XX'] }, 'appliesTo[1]'],
      ['"*" beside a country', { appliesTo: ['*', 'US'] }, 'appliesTo'],
      ['a destination that is not a string', { appliesTo: [392] }, 'appliesTo'],
      ['more destinations than there are countries', { appliesTo: Array(250).fill('US') }, 'appliesTo'],
      ['no material', { materials: [] }, 'materials'],
      ['a material outside the catalogue', { materials: ['gallium', 'rare-earths'] }, 'materials[1]'],
      ['more materials than the catalogue holds', { materials: Array(13).fill('gallium') }, 'materials'],
      ['an unknown measure', { measure: 'quota' }, 'measure'],
      ['an announcement day that does not exist', { announcedOn: '2023-02-29' }, 'announcedOn'],
      ['an effective day in another format', { effectiveFrom: '1 Aug 2023' }, 'effectiveFrom'],
      ['an empty legal reference', { legalReference: '' }, 'legalReference'],
      ['an unknown field', { scope: 'military end users' }, 'scope'],
    ])('refuses %s, naming the field', async (_case, change, field) => {
      const response = await ledger.post('/export-restrictions', { ...galliumLicensing, ...change });
      expectFieldRefused(response, field);
      expect(storedEvents(ledger, GALLIUM_STREAM)).toHaveLength(0);
    });

    it('refuses a legal reference over 200 characters as out-of-range, naming the field', async () => {
      const overLong = { ...galliumLicensing, legalReference: 'x'.repeat(201) };
      expectFieldRefused(
        await ledger.post('/export-restrictions', overLong),
        'legalReference',
        'out-of-range',
      );
      expect(storedEvents(ledger, GALLIUM_STREAM)).toHaveLength(0);
    });

    it('refuses readers, auditors and requests without a key', async () => {
      await expectAuthorisationRefusals(ledger, '/export-restrictions', galliumLicensing, GALLIUM_STREAM, []);
    });

    it.each([
      ['a country restricting exports to itself', 'self-restriction', { appliesTo: ['JP', 'CN'] }],
      ['a measure in force before it was announced', 'invalid-dates', { announcedOn: '2023-08-02' }],
      ['a destination listed twice', 'duplicate-destination', { appliesTo: ['JP', 'US', 'JP'] }],
      ['a material listed twice', 'duplicate-material', { materials: ['gallium', 'gallium'] }],
    ])('refuses %s with 422 %s', async (_case, code, change) => {
      expectProblem(await ledger.post('/export-restrictions', { ...galliumLicensing, ...change }), 422, code);
    });

    it('refuses recording the same id twice with 409', async () => {
      await ledger.post('/export-restrictions', galliumLicensing, 'bafa');
      expectProblem(await ledger.post('/export-restrictions', galliumLicensing, 'jogmec'), 409, 'conflict');
    });
  });

  describe('POST /export-restrictions/{id}/lift (LiftRestriction)', () => {
    it('lets a recorder of any country lift a measure, with 200', async () => {
      await ledger.post('/export-restrictions', galliumLicensing, 'bafa');
      const response = await ledger.post(`${GALLIUM}/lift`, lift, 'nrcan');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ streamId: GALLIUM_STREAM, revision: '1' });
      const events = storedEvents(ledger, GALLIUM_STREAM);
      expect(events[1]).toMatchObject({
        type: 'ExportRestrictionLifted',
        data: { effectiveFrom: '2026-06-01' },
        metadata: { actor: { name: 'nrcan' } },
      });
    });

    it('lifts on the very day the measure took effect', async () => {
      await ledger.post('/export-restrictions', galliumLicensing);
      expect((await ledger.post(`${GALLIUM}/lift`, { effectiveFrom: '2023-08-01' }, 'jogmec')).status).toBe(
        200,
      );
    });

    it.each([
      ['a day in another format', { effectiveFrom: '2026-6-1' }, 'effectiveFrom'],
      ['no day', {}, 'effectiveFrom'],
      ['a day that does not exist', { effectiveFrom: '2026-06-31' }, 'effectiveFrom'],
      ['an unknown field', { effectiveFrom: '2026-06-01', reason: 'talks' }, 'reason'],
    ])('refuses %s, naming the field', async (_case, body, field) => {
      await ledger.post('/export-restrictions', galliumLicensing);
      expectFieldRefused(await ledger.post(`${GALLIUM}/lift`, body), field);
    });

    it('refuses readers, auditors and requests without a key', async () => {
      await ledger.post('/export-restrictions', galliumLicensing);
      await expectAuthorisationRefusals(ledger, `${GALLIUM}/lift`, lift, GALLIUM_STREAM, []);
    });

    it('refuses lifting twice with 422 already-lifted', async () => {
      await ledger.post('/export-restrictions', galliumLicensing);
      await ledger.post(`${GALLIUM}/lift`, lift, 'jogmec');
      expectProblem(
        await ledger.post(`${GALLIUM}/lift`, { effectiveFrom: '2026-07-01' }, 'bafa'),
        422,
        'already-lifted',
      );
      expect(storedEvents(ledger, GALLIUM_STREAM)).toHaveLength(2);
    });

    it('refuses lifting before the measure took effect with 422 lift-before-effective', async () => {
      await ledger.post('/export-restrictions', galliumLicensing);
      const response = await ledger.post(`${GALLIUM}/lift`, { effectiveFrom: '2023-07-31' });
      expectProblem(response, 422, 'lift-before-effective');
    });

    it('answers 404 for a restriction that does not exist', async () => {
      expectProblem(await ledger.post('/export-restrictions/nowhere/lift', lift, 'bafa'), 404, 'not-found');
      expectProblem(await ledger.post('/export-restrictions/No_Such/lift', lift), 404, 'not-found');
    });
  });

  it('documents both commands and their bodies in the OpenAPI document', async () => {
    const openapi = (await ledger.request('GET', '/openapi.json')).body;
    expect(openapi.paths['/export-restrictions'].post.requestBody).toBeDefined();
    expect(openapi.paths['/export-restrictions/{id}/lift'].post.requestBody).toBeDefined();
    const schema = openapi.components.schemas.RestrictExportsDto;
    expect(schema.properties.measure.enum).toEqual(['licensing', 'ban']);
    expect(schema.properties.appliesTo).toMatchObject({ type: 'array', minItems: 1, example: ['*'] });
  });
});
