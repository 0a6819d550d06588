import { ensureBuilt } from '../support/compiled';
import { KEYS } from '../support/ledger-harness';
import { createTestDatabase, type TestDatabase } from '../support/postgres/test-database';
import {
  type Command,
  freePort,
  LedgerProcess,
  needsRetry,
  type Outcome,
  send,
  sleep,
  tempLedgerFolder,
} from '../reliability/ledger-process';

/*
 * The distributed mode for real: API processes and projectors on one PostgreSQL (event store and read
 * store), each process with a data folder of its own, as on separate hosts.
 */

interface Host {
  process: LedgerProcess;
  baseUrl: string;
  folder: ReturnType<typeof tempLedgerFolder>;
}

const STOCKPILE = 'shared-reserve';

async function startHost(env: Record<string, string>): Promise<Host> {
  const folder = tempLedgerFolder('ledger-host-');
  const port = await freePort();
  const process = LedgerProcess.start(port, folder.dataDir, folder.keysFile, env);
  const baseUrl = `http://127.0.0.1:${port}`;
  await process.waitUntilHealthy(baseUrl);
  return { process, baseUrl, folder };
}

async function startProjector(env: Record<string, string>): Promise<Host> {
  const folder = tempLedgerFolder('ledger-projector-');
  const port = await freePort();
  const process = LedgerProcess.startProjector(port, folder.dataDir, env);
  const baseUrl = `http://127.0.0.1:${port}`;
  await process.waitUntilHealthy(baseUrl);
  return { process, baseUrl, folder };
}

const get = async (host: Host, path: string, as: keyof typeof KEYS = 'auditor') => {
  const response = await fetch(`${host.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${KEYS[as].key}` },
  });
  return { status: response.status, body: (await response.json()) as any };
};

const establish: Command = {
  key: 'establish',
  as: 'admin',
  path: '/stockpiles',
  streamId: `stockpile-${STOCKPILE}`,
  body: {
    id: STOCKPILE,
    name: 'Shared reserve',
    custodian: 'JOGMEC',
    participants: [{ country: 'JP', sharePercent: '100' }],
    effectiveAt: '2026-01-01',
  },
};

/** The n-th acquisition of one gram-exact lot into the shared stockpile: n kilograms. */
const acquire = (n: number): Command => ({
  key: `lot-${n}`,
  as: 'admin',
  path: `/stockpiles/${STOCKPILE}/acquisitions`,
  streamId: `stockpile-${STOCKPILE}`,
  body: {
    lotId: `lot-${n}`,
    material: 'gallium',
    quantity: { amount: String(n), unit: 'kg' },
    location: 'Tsukuba',
    originCountry: 'CA',
    effectiveAt: '2026-02-01',
  },
});

/** Sends a command until it has an answer that is not a 5xx, on whichever hosts are given in turn. */
async function untilAnswered(hosts: () => Host[], command: Command): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const candidates = hosts();
    const outcome = await send(candidates[attempt % candidates.length]!.baseUrl, command, 10_000);
    outcomes.push(outcome);
    if (!needsRetry(outcome)) return outcomes;
    await sleep(100);
  }
  throw new Error(`${command.key} got no answer: ${JSON.stringify(outcomes.slice(-3))}`);
}

/** The whole log as GET /audit/log pages it. */
async function logOf(host: Host): Promise<any[]> {
  const events: any[] = [];
  let fromPosition = '0';
  for (;;) {
    const page = await get(host, `/audit/log?fromPosition=${fromPosition}&limit=1000`);
    events.push(...page.body.events);
    if (!page.body.hasMore) return events;
    fromPosition = page.body.nextPosition;
  }
}

describe('Distributed on PostgreSQL', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const started: Host[] = [];

  beforeAll(() => ensureBuilt(), 180_000);
  beforeEach(async () => {
    database = await createTestDatabase();
    env = { LEDGER_EVENT_STORE: database.url, LEDGER_READ_STORE: database.url };
  });
  afterEach(async () => {
    for (const host of started.splice(0)) {
      await host.process.dispose();
      host.folder.remove();
    }
    await database.drop();
  });

  const host = async (extra: Record<string, string> = {}) => {
    const started_ = await startHost({ ...env, ...extra });
    started.push(started_);
    return started_;
  };
  const projector = async () => {
    const started_ = await startProjector(env);
    started.push(started_);
    return started_;
  };

  it('two API processes and one projector share the read models: one reads what the other wrote', async () => {
    const projecting = await projector();
    const first = await host({ LEDGER_PROJECTOR: 'external' });
    const second = await host({ LEDGER_PROJECTOR: 'external' });
    expect((await untilAnswered(() => [first], establish)).at(-1)).toMatchObject({ status: 201 });
    const [acquired] = (await untilAnswered(() => [second], acquire(7))).slice(-1) as [
      Extract<Outcome, { kind: 'answer' }>,
    ];
    expect(acquired.status).toBe(200);
    // read-your-writes across processes: the first waits for the projector to reach the second's write
    const inventory = await get(first, `/inventory?minPosition=${acquired.body.position}`, 'reader');
    expect(inventory.status).toBe(200);
    expect(inventory.body.rows).toEqual([expect.objectContaining({ onHand: '7' })]);
    // the Idempotency-Key records are shared too: the same key on the other process replays the answer
    const replay = await send(first.baseUrl, acquire(7));
    expect(replay).toMatchObject({ kind: 'answer', status: 200, body: acquired.body });
    // and /ready tells which process projects
    const ready = await get(first, '/ready');
    expect(ready.body.projector).toMatchObject({ role: 'external', holder: expect.any(String) });
    expect((await get(projecting, '/ready')).body.projector.role).toBe('active');
  }, 90_000);

  it('another projector takes over when the active one is killed, with nothing skipped or counted twice', async () => {
    const api = await host({ LEDGER_PROJECTOR: 'external' });
    const projectors = [await projector(), await projector()];
    await untilAnswered(() => [api], establish);
    const roles = async () =>
      Promise.all(projectors.map(async (candidate) => (await get(candidate, '/ready')).body.projector?.role));
    let active = -1;
    for (let tries = 0; active < 0 && tries < 100; tries += 1) {
      active = (await roles()).indexOf('active');
      if (active < 0) await sleep(100);
    }
    expect(active).toBeGreaterThanOrEqual(0);

    // the active projector dies with writes before and after it: the survivor must project the rest
    for (let n = 1; n <= 30; n += 1) await untilAnswered(() => [api], acquire(n));
    await projectors[active]!.process.dispose(); // SIGKILL, mid-stream
    for (let n = 31; n <= 60; n += 1) await untilAnswered(() => [api], acquire(n));
    const head = (await get(api, '/audit/digest')).body.position;
    const survivor = projectors[1 - active]!;
    const inventory = await get(api, `/inventory?minPosition=${head}`, 'reader');
    expect(inventory.status).toBe(200);
    // Σ n for n = 1..60 kilograms, each exactly once
    expect(inventory.body.rows).toEqual([expect.objectContaining({ acquired: '1830', onHand: '1830' })]);
    expect((await get(survivor, '/ready')).body.projector.role).toBe('active');
  }, 120_000);

  it.each([1, 2, 3, 4, 5])(
    'two API hosts share one hot stream; one is killed mid-load and everything is retried on the other (round %i)',
    async () => {
      const hosts = [await host(), await host()];
      await untilAnswered(() => hosts, establish);
      const alive = new Set(hosts);
      const commands = Array.from({ length: 80 }, (_unused, index) => acquire(index + 1));
      const answers = new Map<string, Outcome[]>();
      // writers on both hosts at once, on one stream, each command with its Idempotency-Key
      const load = commands.map(async (command, index) => {
        await sleep(index * 15);
        const preferred = hosts[index % 2]!;
        const outcomes = await untilAnswered(
          () =>
            alive.has(preferred) ? [preferred, ...[...alive].filter((h) => h !== preferred)] : [...alive],
          command,
        );
        answers.set(command.key, outcomes);
      });
      await sleep(400);
      const killed = hosts[0]!;
      alive.delete(killed);
      await killed.process.dispose(); // SIGKILL: no drain, no goodbye
      await Promise.all(load);
      // retry every command on the survivor, as a client that lost answers would: each replays
      const survivor = hosts[1]!;
      for (const command of commands) {
        const outcome = await send(survivor.baseUrl, command);
        expect({
          key: command.key,
          status: outcome.kind === 'answer' ? outcome.status : outcome.error,
        }).toEqual({
          key: command.key,
          status: 200,
        });
      }

      const log = await logOf(survivor);
      const acquisitions = log.filter((event) => event.type === 'StockpileAcquired');
      // nothing acknowledged lost, nothing doubled: one event per command, and it is the acknowledged one
      expect(acquisitions.map((event) => event.data.lotId).sort()).toEqual(commands.map((c) => c.key).sort());
      for (const [key, outcomes] of answers) {
        const acknowledged = outcomes.filter(
          (outcome) => outcome.kind === 'answer' && outcome.status === 200,
        );
        for (const outcome of acknowledged) {
          const event = acquisitions.find((candidate) => candidate.data.lotId === key);
          expect((outcome as Extract<Outcome, { kind: 'answer' }>).body.eventIds).toEqual([event.eventId]);
        }
      }
      // the survivor's read models reach the end (its projector takes over if the dead one held the lock)
      const head = log[log.length - 1].position;
      const inventory = await get(survivor, `/inventory?minPosition=${head}`, 'reader');
      expect(inventory.status).toBe(200);
      expect(inventory.body.rows).toEqual([expect.objectContaining({ acquired: '3240' })]); // Σ 1..80 kg
      const verified = await get(survivor, '/audit/verify');
      expect(verified.body).toMatchObject({ verified: true, densePositions: true });
    },
    120_000,
  );
});
