import {
  createEventStore,
  loadStoreConfig,
  openSqliteDatabase,
  type RecordedEvent,
  sqliteFileOf,
} from '@ledger/event-store';
import { expectProblem, LedgerHarness } from './ledger-harness';

/** What a run of the scenarios needs besides a ledger: e.g. an event store server and its address. */
export interface StockpileScenarioSetup {
  /** environment added to the ledger's, e.g. `{ LEDGER_EVENT_STORE: 'esdb://...' }` */
  env: Record<string, string>;
  /**
   * Added to the stockpile id and the Idempotency-Keys, and reports are filtered by stockpile: for a
   * server whose log outlives the test (a real EventStoreDB), where every test needs entities of its own.
   */
  unique?: string;
  teardown?(): Promise<void>;
}

/** The events of a stream as the configured event store holds them, read through the EventStore port. */
async function storedStream(
  ledger: LedgerHarness,
  env: Record<string, string>,
  streamId: string,
): Promise<RecordedEvent[]> {
  const config = loadStoreConfig({ LEDGER_DATA_DIR: ledger.dataDir, ...env });
  const db = openSqliteDatabase(sqliteFileOf(config));
  const store = await createEventStore(config, db);
  try {
    return await store.readStream(streamId);
  } finally {
    await store.close();
    db.close();
  }
}

/** The walkthrough's joint stockpile, lot and release; shared with other suites that need a real ledger. */
export const reserveTemplate = {
  id: 'ca-jp-graphite',
  name: 'Canada–Japan graphite reserve',
  custodian: 'JOGMEC',
  participants: [
    { country: 'JP', sharePercent: '60' },
    { country: 'CA', sharePercent: '40' },
  ],
  effectiveAt: '2026-01-15',
};
export const acquisition = {
  material: 'graphite-anode',
  quantity: { amount: '1200', unit: 't' },
  location: 'Yokohama',
  originCountry: 'CA',
  cost: { amount: '5400000.00', currency: 'USD' },
  effectiveAt: '2026-02-01',
};
export const release = {
  material: 'graphite-anode',
  quantity: { amount: '250.5', unit: 't' },
  location: 'Yokohama',
  recipient: 'Panasonic Energy',
  recipientCountry: 'JP',
  reason: 'supply disruption after export licensing',
  authorisationRef: 'METI-2026-041',
  effectiveAt: '2026-03-01',
};

/**
 * The stockpile walkthrough, rules and refusals over HTTP; run once per event store (stockpiles.e2e-spec.ts
 * on the embedded store, esdb.e2e-spec.ts on the EventStoreDB adapter).
 */
export function stockpileScenarios(
  title: string,
  setUp: () => Promise<StockpileScenarioSetup> = async () => ({ env: {} }),
): void {
  describe(title, () => {
    let ledger: LedgerHarness;
    let setup: StockpileScenarioSetup;
    let reserve: typeof reserveTemplate;
    let stockpileId: string;
    /** the Idempotency-Key suffix, and the report filter that keeps other tests' stockpiles out */
    let unique: string;
    let scope: string;

    beforeEach(async () => {
      setup = await setUp();
      unique = setup.unique ?? '';
      stockpileId = `${reserveTemplate.id}${unique}`;
      reserve = { ...reserveTemplate, id: stockpileId };
      scope = unique ? `stockpile=${stockpileId}&` : '';
      ledger = await LedgerHarness.start(setup.env);
    });
    afterEach(async () => {
      await ledger.stop();
      await setup.teardown?.();
    });

    describe('the walkthrough: establish, acquire, release, read back', () => {
      it('reports the exact kilograms on hand after an acquisition and a release', async () => {
        const established = await ledger.post('/stockpiles', reserve, 'jogmec');
        expect(established.status).toBe(201);
        expect(established.body).toMatchObject({ streamId: `stockpile-${stockpileId}`, revision: '0' });
        expect(established.headers.get('etag')).toBe('"0"');

        const acquired = await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, acquisition, 'nrcan');
        expect(acquired.status).toBe(200);
        const released = await ledger.post(`/stockpiles/${stockpileId}/releases`, release, 'jogmec');
        expect(released.status).toBe(200);
        expect(BigInt(released.body.position)).toBeGreaterThan(BigInt(acquired.body.position));

        const inventory = await ledger.get(`/inventory?${scope}minPosition=${released.body.position}`);
        expect(inventory.status).toBe(200);
        expect(inventory.body.rows).toEqual([
          {
            stockpileId,
            material: 'graphite-anode',
            location: 'Yokohama',
            onHand: '949500',
            acquired: '1200000',
            released: '250500',
            transferredIn: '0',
            transferredOut: '0',
          },
        ]);

        const stockpile = await ledger.get(
          `/stockpiles/${stockpileId}?minPosition=${released.body.position}`,
        );
        expect(stockpile.body).toMatchObject({
          name: 'Canada–Japan graphite reserve',
          participants: [
            { country: 'CA', sharePercent: '40' },
            { country: 'JP', sharePercent: '60' },
          ],
          balances: [{ material: 'graphite-anode', location: 'Yokohama', onHand: '949500' }],
        });
      });

      it('answers as of an earlier date and as known at an earlier position', async () => {
        await ledger.post('/stockpiles', reserve);
        const acquired = await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, acquisition);
        const released = await ledger.post(`/stockpiles/${stockpileId}/releases`, release);
        const wait = `minPosition=${released.body.position}`;

        const beforeRelease = await ledger.get(`/inventory?${scope}asOf=2026-02-15&${wait}`);
        expect(beforeRelease.body.rows[0].onHand).toBe('1200000');
        const knownBeforeRelease = await ledger.get(
          `/inventory?${scope}knownAt=${acquired.body.position}&${wait}`,
        );
        expect(knownBeforeRelease.body.rows[0].onHand).toBe('1200000');
        const beforeAcquisition = await ledger.get(`/inventory?${scope}asOf=2026-01-20&${wait}`);
        expect(beforeAcquisition.body.rows).toEqual([]);
      });

      it('transfers stock between locations of one stockpile', async () => {
        await ledger.post('/stockpiles', reserve);
        await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, acquisition);
        const moved = await ledger.post(`/stockpiles/${stockpileId}/transfers`, {
          material: 'graphite-anode',
          quantity: { amount: '200000', unit: 'kg' },
          fromLocation: 'Yokohama',
          toLocation: 'Kobe',
          effectiveAt: '2026-02-10',
        });
        expect(moved.status).toBe(200);
        const rows = (await ledger.get(`/inventory?${scope}minPosition=${moved.body.position}`)).body.rows;
        expect(
          rows.map((row: any) => [row.location, row.onHand, row.transferredIn, row.transferredOut]),
        ).toEqual([
          ['Kobe', '200000', '200000', '0'],
          ['Yokohama', '1000000', '0', '200000'],
        ]);
      });

      it('gives the same rows as CSV', async () => {
        await ledger.post('/stockpiles', reserve);
        const acquired = await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, acquisition);
        const csv = await ledger.get(`/inventory?${scope}minPosition=${acquired.body.position}`, 'reader', {
          accept: 'text/csv',
        });
        expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
        expect(csv.text).toBe(
          'stockpileId,material,location,onHand,acquired,released,transferredIn,transferredOut\r\n' +
            `${stockpileId},graphite-anode,Yokohama,1200000,1200000,0,0,0\r\n`,
        );
      });
    });

    describe('authorisation', () => {
      it('refuses a request without a key, or with an unknown key, with 401', async () => {
        expectProblem(await ledger.request('POST', '/stockpiles', { body: reserve }), 401, 'unauthorized');
        const unknown = await ledger.request('GET', '/inventory', {
          headers: { authorization: 'Bearer not-a-key-at-all-000' },
        });
        expectProblem(unknown, 401, 'unauthorized');
      });

      it('refuses a reader or an auditor sending a command with 403', async () => {
        expectProblem(await ledger.post('/stockpiles', reserve, 'reader'), 403, 'forbidden');
        expectProblem(await ledger.post('/stockpiles', reserve, 'auditor'), 403, 'forbidden');
      });

      it('refuses a recorder-only key on queries with 403: reading takes the reader or auditor role', async () => {
        expectProblem(await ledger.get('/inventory', 'jogmec'), 403, 'forbidden');
        expectProblem(await ledger.get('/exposure/JP', 'jogmec'), 403, 'forbidden');
        expect((await ledger.get('/inventory', 'reader')).status).toBe(200);
      });

      it('refuses a recorder acting for a stockpile its countries do not take part in', async () => {
        expectProblem(await ledger.post('/stockpiles', reserve, 'bafa'), 403, 'forbidden');
        const established = await ledger.post('/stockpiles', reserve, 'jogmec');
        expectProblem(
          await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, acquisition, 'bafa'),
          403,
          'forbidden',
        );
        // the read models may lag the append (an external projector): wait for the stockpile's position
        const view = await ledger.get(
          `/stockpiles/${stockpileId}?minPosition=${established.body.position}`,
          'auditor',
        );
        expect(view.status).toBe(200);
      });

      it('records the actor in the events but never the key', async () => {
        const established = await ledger.post('/stockpiles', reserve, 'jogmec');
        expect(established.status).toBe(201);
        // Read from the store itself, whichever it is, rather than through the API under test.
        const [stored] = await storedStream(ledger, setup.env, `stockpile-${stockpileId}`);
        expect(stored!.metadata.actor).toEqual({ name: 'jogmec', roles: ['recorder'] });
        expect(JSON.stringify(stored!.metadata)).not.toContain('test-jogmec-key');
      });
    });

    describe('validation', () => {
      it('refuses unknown fields, naming them', async () => {
        const response = await ledger.post('/stockpiles', { ...reserve, colour: 'blue' });
        expectProblem(response, 400, 'validation-failed');
        expect(response.body.errors).toEqual([{ field: 'colour', message: 'is not a known field' }]);
      });

      it.each([
        ['an exponent', { amount: '1e3', unit: 't' }, 'quantity.amount'],
        ['a negative amount', { amount: '-5', unit: 't' }, 'quantity.amount'],
        ['a JSON number', { amount: 1200, unit: 't' }, 'quantity.amount'],
        ['an unknown unit', { amount: '5', unit: 'lb' }, 'quantity.unit'],
        ['zero', { amount: '0', unit: 'kg' }, 'quantity.amount'],
      ])('refuses a quantity with %s', async (_case, quantity, field) => {
        await ledger.post('/stockpiles', reserve);
        const response = await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, {
          ...acquisition,
          quantity,
        });
        expectProblem(response, 400, 'validation-failed');
        expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      });

      it('refuses finer than gram precision with its own code', async () => {
        await ledger.post('/stockpiles', reserve);
        const response = await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, {
          ...acquisition,
          quantity: { amount: '0.0001', unit: 'kg' },
        });
        expectProblem(response, 400, 'precision-exceeded');
        expect(response.body.errors[0].field).toBe('quantity.amount');
      });

      it('refuses an unknown country code and a date that does not exist, naming the field', async () => {
        const badCountry = await ledger.post('/stockpiles', {
          ...reserve,
          participants: [{ country: 'XX', sharePercent: '100' }],
        });
        expectProblem(badCountry, 400, 'validation-failed');
        expect(badCountry.body.errors[0].field).toBe('participants[0].country');
        const badDate = await ledger.post('/stockpiles', { ...reserve, effectiveAt: '2026-02-30' });
        expectProblem(badDate, 400, 'validation-failed');
        expect(badDate.body.errors[0].field).toBe('effectiveAt');
      });

      it('refuses invalid JSON and an oversized body without a 5xx', async () => {
        expectProblem(
          await ledger.request('POST', '/stockpiles', { as: 'admin', rawBody: '{"name":' }),
          400,
          'invalid-json',
        );
        const huge = await ledger.post('/stockpiles', { ...reserve, name: 'x'.repeat(100_000) });
        expectProblem(huge, 413, 'payload-too-large');
      });

      it('answers 404 for a stockpile that does not exist', async () => {
        expectProblem(await ledger.post('/stockpiles/nowhere/acquisitions', acquisition), 404, 'not-found');
        expectProblem(await ledger.get('/stockpiles/nowhere'), 404, 'not-found');
      });
    });

    describe('rules', () => {
      it('refuses releasing more than is on hand with 422 insufficient-stock and appends nothing', async () => {
        await ledger.post('/stockpiles', reserve);
        const acquired = await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, acquisition);
        const response = await ledger.post(`/stockpiles/${stockpileId}/releases`, {
          ...release,
          quantity: { amount: '1200.001', unit: 't' },
        });
        expectProblem(response, 422, 'insufficient-stock');
        const after = await ledger.post(`/stockpiles/${stockpileId}/releases`, release);
        expect(after.body.revision).toBe(String(BigInt(acquired.body.revision) + 1n));
      });

      it('refuses a back-dated release that would overdraw a later date', async () => {
        await ledger.post('/stockpiles', reserve);
        await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, {
          ...acquisition,
          quantity: { amount: '100', unit: 't' },
        });
        await ledger.post(`/stockpiles/${stockpileId}/releases`, {
          ...release,
          quantity: { amount: '80', unit: 't' },
          effectiveAt: '2026-04-01',
        });
        const backDated = await ledger.post(`/stockpiles/${stockpileId}/releases`, {
          ...release,
          quantity: { amount: '30', unit: 't' },
          effectiveAt: '2026-03-01',
        });
        expectProblem(backDated, 422, 'insufficient-stock');
      });

      it('refuses establishing the same stockpile twice with 409', async () => {
        await ledger.post('/stockpiles', reserve);
        expectProblem(await ledger.post('/stockpiles', reserve), 409, 'conflict');
      });

      it('refuses shares that do not add up to 100', async () => {
        const response = await ledger.post('/stockpiles', {
          ...reserve,
          participants: [
            { country: 'JP', sharePercent: '60' },
            { country: 'CA', sharePercent: '30' },
          ],
        });
        expectProblem(response, 422, 'shares-not-100');
      });
    });

    describe('Idempotency-Key and If-Match', () => {
      it('returns the first response for the same key and body, and appends once, even after a restart', async () => {
        await ledger.post('/stockpiles', reserve);
        const headers = { 'idempotency-key': `lot-2026-0001${unique}` };
        const first = await ledger.post(
          `/stockpiles/${stockpileId}/acquisitions`,
          acquisition,
          'admin',
          headers,
        );
        const second = await ledger.post(
          `/stockpiles/${stockpileId}/acquisitions`,
          acquisition,
          'admin',
          headers,
        );
        await ledger.restart();
        const third = await ledger.post(
          `/stockpiles/${stockpileId}/acquisitions`,
          acquisition,
          'admin',
          headers,
        );
        expect([second.status, second.body]).toEqual([first.status, first.body]);
        expect([third.status, third.body]).toEqual([first.status, first.body]);
        const inventory = await ledger.get(`/inventory?${scope}minPosition=${first.body.position}`);
        expect(inventory.body.rows[0].acquired).toBe('1200000');
      });

      it('refuses the same key with another body with 409', async () => {
        await ledger.post('/stockpiles', reserve);
        const headers = { 'idempotency-key': `lot-2026-0002${unique}` };
        await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, acquisition, 'admin', headers);
        const other = { ...acquisition, quantity: { amount: '1', unit: 't' } };
        expectProblem(
          await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, other, 'admin', headers),
          409,
          'conflict',
        );
      });

      it('appends with a matching If-Match and refuses a stale one with 412', async () => {
        await ledger.post('/stockpiles', reserve);
        const fresh = await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, acquisition, 'admin', {
          'if-match': '"0"',
        });
        expect(fresh.status).toBe(200);
        const stale = await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, acquisition, 'admin', {
          'if-match': '"0"',
        });
        expectProblem(stale, 412, 'stale-revision');
        expect(stale.body.currentRevision).toBe('1');
      });

      it('settles concurrent releases racing for the last stock with exactly one accepted', async () => {
        await ledger.post('/stockpiles', reserve);
        await ledger.post(`/stockpiles/${stockpileId}/acquisitions`, {
          ...acquisition,
          quantity: { amount: '10', unit: 't' },
        });
        const racers = await Promise.all(
          Array.from({ length: 6 }, () =>
            ledger.post(`/stockpiles/${stockpileId}/releases`, {
              ...release,
              quantity: { amount: '10', unit: 't' },
            }),
          ),
        );
        expect(racers.map((r) => r.status).sort()).toEqual([200, 422, 422, 422, 422, 422]);
      });
    });

    describe('read-your-writes and operations', () => {
      it('answers 503 with Retry-After when the read models cannot reach minPosition in time', async () => {
        // Far beyond any log, also EventStoreDB's, whose positions are byte offsets.
        const response = await ledger.get('/inventory?minPosition=999999999999999999');
        expectProblem(response, 503, 'unavailable');
        expect(response.headers.get('retry-after')).toBe('1');
      }, 15_000); // waits out the ledger's 5 s read-your-writes bound

      it('serves health, readiness and the OpenAPI document without a key', async () => {
        expect((await ledger.request('GET', '/health')).body).toEqual({ status: 'ok' });
        // Ready once the read models have caught up: at once on a fresh store, after a catch-up on a server
        // that holds earlier runs' events.
        let ready = await ledger.request('GET', '/ready');
        for (let i = 0; ready.status !== 200 && i < 100; i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          ready = await ledger.request('GET', '/ready');
        }
        expect(ready.status).toBe(200);
        const openapi = await ledger.request('GET', '/openapi.json');
        expect(openapi.body.paths['/stockpiles/{id}/releases'].post).toBeDefined();
        expect((await ledger.request('GET', '/docs')).status).toBe(200);
      });
    });
  });
}
