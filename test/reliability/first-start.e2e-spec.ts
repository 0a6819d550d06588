import { type EventToAppend, openSqliteDatabase, SqliteEventStore } from '@ledger/event-store';
import { join } from 'node:path';
import { ensureBuilt } from '../support/compiled';
import { KEYS } from '../support/ledger-harness';
import { freePort, LedgerProcess, sleep, tempLedgerFolder } from './ledger-process';

/*
 * Issue 19: a first start on a long log with no read models. The port answers at once and keeps answering
 * while the projector catches up (it yields to the event loop between batches), and /ready says
 * `catching-up` with its progress until it is done.
 */

const STOCKPILES = 60;
const LOTS_PER_STOCKPILE = 2_500;
const metadata = { actor: { name: 'loader', roles: ['admin'] }, correlationId: 'load', causationId: 'load' };

/** 150,000 acquisitions over 60 stockpiles, appended straight into a fresh ledger file. */
async function loadLog(dataDir: string): Promise<number> {
  const db = openSqliteDatabase(join(dataDir, 'ledger.sqlite'));
  const store = new SqliteEventStore(db);
  try {
    let events = 0;
    for (let s = 0; s < STOCKPILES; s += 1) {
      const establish: EventToAppend = {
        eventId: `00000000-0000-7000-8000-${String(s).padStart(12, '0')}`,
        type: 'StockpileEstablished',
        schemaVersion: 1,
        effectiveAt: '2020-01-01T00:00:00.000Z',
        data: {
          stockpileId: `s${s}`,
          name: `S${s}`,
          custodian: 'C',
          participants: [{ country: 'JP', sharePercent: '100' }],
        },
        metadata,
      };
      const lots: EventToAppend[] = Array.from({ length: LOTS_PER_STOCKPILE }, (_unused, lot) => ({
        eventId: `00000000-0000-7000-9${String(s).padStart(3, '0')}-${String(lot).padStart(12, '0')}`,
        type: 'StockpileAcquired',
        schemaVersion: 1,
        effectiveAt: '2021-01-01T00:00:00.000Z',
        data: {
          lotId: `l${lot}`,
          material: 'gallium',
          quantity: { amount: '1', unit: 'kg' },
          location: `site-${lot % 4}`,
          originCountry: 'CA',
        },
        metadata,
      }));
      await store.append(`stockpile-s${s}`, [establish, ...lots], 'no-stream');
      events += 1 + lots.length;
    }
    return events;
  } finally {
    await store.close();
    db.close();
  }
}

describe('A first start on a long log with no read models', () => {
  const folder = tempLedgerFolder('ledger-first-start-');
  let api: LedgerProcess | undefined;

  beforeAll(() => ensureBuilt(), 180_000);
  afterAll(async () => {
    await api?.dispose();
    folder.remove();
  });

  it('answers /health throughout the catch-up, and /ready reports its progress until ready', async () => {
    const total = await loadLog(folder.dataDir);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    api = LedgerProcess.start(port, folder.dataDir, folder.keysFile);
    await api.waitUntilHealthy(baseUrl);

    const health: number[] = [];
    const progress: number[] = [];
    const statuses = new Set<string>();
    for (let polls = 0; polls < 2_000; polls += 1) {
      // a liveness probe with a generous timeout: the point is that it is answered, not how fast
      const alive = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5_000) });
      health.push(alive.status);
      const ready = await fetch(`${baseUrl}/ready`, { signal: AbortSignal.timeout(5_000) });
      const body = (await ready.json()) as {
        status: string;
        readModels: Record<string, { progress: number }>;
      };
      statuses.add(body.status);
      progress.push(Math.min(...Object.values(body.readModels).map((model) => model.progress)));
      if (body.status === 'ready') break;
      await sleep(50);
    }

    expect(health.every((status) => status === 200)).toBe(true);
    expect([...statuses]).toEqual(['catching-up', 'ready']);
    // progress was reported along the way, and it never went backwards
    expect(progress.some((value) => value > 0 && value < 1)).toBe(true);
    expect(progress.every((value, index) => index === 0 || value >= progress[index - 1]!)).toBe(true);
    // ready once within the bound (1,000 events) of the head; the rest follows at once
    const inventory = await fetch(`${baseUrl}/inventory?stockpile=s0&minPosition=${total}`, {
      headers: { authorization: `Bearer ${KEYS.reader.key}` },
    });
    const rows = ((await inventory.json()) as { rows: { onHand: string }[] }).rows;
    expect(rows.reduce((sum, row) => sum + Number(row.onHand), 0)).toBe(LOTS_PER_STOCKPILE);
    expect(total).toBe(STOCKPILES * (LOTS_PER_STOCKPILE + 1));
  }, 180_000);
});
