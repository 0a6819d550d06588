import { newId, openSqliteDatabase, type SqliteDatabase, SqliteEventStore } from '@ledger/event-store';
import { READ_MODELS } from '@ledger/projections';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledEntry, ensureBuilt } from './support/compiled';
import { servedAndRebuiltReadModels } from './support/read-models';

const STOCKPILES = 40;
const ACQUISITIONS_PER_STOCKPILE = 1000;
const TOTAL = BigInt(STOCKPILES * (ACQUISITIONS_PER_STOCKPILE + 1));

const meta = { actor: { name: 'loader', roles: ['admin'] }, correlationId: 'load', causationId: 'load' };

/** A ledger of 40 stockpiles with 1,000 acquisitions each, appended straight into the store. */
async function loadLedger(db: SqliteDatabase): Promise<void> {
  const store = new SqliteEventStore(db);
  for (let s = 0; s < STOCKPILES; s += 1) {
    const streamId = `stockpile-s${s}`;
    await store.append(
      streamId,
      [
        {
          eventId: newId(),
          type: 'StockpileEstablished',
          schemaVersion: 1,
          effectiveAt: '2026-01-01T00:00:00.000Z',
          data: {
            stockpileId: `s${s}`,
            name: `S${s}`,
            custodian: 'C',
            participants: [{ country: 'JP', sharePercent: '100' }],
          },
          metadata: meta,
        },
      ],
      'no-stream',
    );
    const acquisitions = Array.from({ length: ACQUISITIONS_PER_STOCKPILE }, (_, i) => ({
      eventId: newId(),
      type: 'StockpileAcquired',
      schemaVersion: 1,
      effectiveAt: '2026-02-01T00:00:00.000Z',
      data: {
        lotId: `l${i}`,
        material: i % 2 ? 'gallium' : 'graphite-anode',
        quantity: { amount: `${i + 1}.5`, unit: 'kg' },
        location: `loc-${i % 3}`,
        originCountry: 'CA',
      },
      metadata: meta,
    }));
    await store.append(streamId, acquisitions, 0n);
  }
}

/** The live checkpoint of every read model; none before the projector first created its tables. */
function checkpoints(db: SqliteDatabase): bigint[] {
  try {
    return db
      .prepare(
        `SELECT c.position FROM read_model_checkpoints c JOIN read_models m
           ON m.name = c.name AND m.generation = c.generation ORDER BY c.name`,
      )
      .safeIntegers(true)
      .pluck()
      .all() as bigint[];
  } catch {
    return [];
  }
}

describe('The projector killed mid-stream', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => ensureBuilt(), 120_000);
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-crash-'));
  });
  afterEach(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const startProjector = () =>
    spawn(process.execPath, compiledEntry('apps/projector/src/main.js'), {
      env: { ...process.env, LEDGER_DATA_DIR: dataDir, PROJECTOR_PORT: '0', PROJECTOR_BATCH_SIZE: '250' },
      stdio: 'ignore',
    });

  it('resumes from its checkpoint after SIGKILL, without gaps or double counting', async () => {
    const db = openSqliteDatabase(join(dataDir, 'ledger.sqlite'));
    await loadLedger(db);

    const kills: bigint[] = [];
    for (let round = 0; round < 2; round += 1) {
      child = startProjector();
      // Kill as soon as the projector has committed something but is not done yet.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const reached = checkpoints(db);
        const lowest = reached.length === READ_MODELS.length ? reached.reduce((a, b) => (a < b ? a : b)) : 0n;
        const highest = reached.reduce((a, b) => (a > b ? a : b), 0n);
        if (highest > (kills[kills.length - 1] ?? 0n) && lowest < TOTAL) {
          child.kill('SIGKILL');
          kills.push(highest);
          break;
        }
        if (Date.now() > deadline) throw new Error('the projector made no progress');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    expect(kills.every((position) => position > 0n && position < TOTAL)).toBe(true);

    child = startProjector();
    const deadline = Date.now() + 60_000;
    while (checkpoints(db).some((position) => position < TOTAL)) {
      if (Date.now() > deadline) throw new Error('the projector did not catch up');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));

    // The expected read models: a rebuild of a copy of the same log from scratch.
    const { served, rebuilt } = await servedAndRebuiltReadModels(dataDir);
    expect(served).toEqual(rebuilt);
    const acquired = served.tables
      .inventory_movements!.filter((row) => row.kind === 'acquired')
      .reduce((sum, row) => sum + BigInt(row.grams!), 0n);
    // Σ over 40 stockpiles of Σ_{i=1..1000} (i + 0.5) kg = 40 × 501,000 kg
    expect(acquired).toBe(40n * 501_000_000n);
    db.close();
  }, 180_000);
});
