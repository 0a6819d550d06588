import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, REPO } from './support/compiled';
import { KEYS } from './support/ledger-harness';
import { freePort, LedgerProcess, sleep, tempLedgerFolder } from './reliability/ledger-process';

/** What examples/projection-service.ts keeps in its file. */
interface ReadModel {
  lastEventId: string | null;
  events: number;
  acquired: Record<string, string>;
}

const gramsOf = (amount: string, unit: 'kg' | 't'): bigint => {
  const [whole, fraction = ''] = amount.split('.');
  const kilograms = BigInt(whole!) * 1000n + BigInt(fraction.padEnd(3, '0'));
  return unit === 't' ? kilograms * 1000n : kilograms;
};
const kilogramsOf = (text: string) => gramsOf(text, 'kg');

/**
 * The example consumer of README "For projection services", run as its users would run it: a process of
 * its own against a real ledger process, killed mid-stream and restarted, and left connected while the
 * ledger itself shuts down and comes back. Its read model must end exact.
 */
describe('The example projection service', () => {
  const folder = tempLedgerFolder('ledger-example-');
  const stateFile = join(folder.dataDir, 'acquired.json');
  let ledger: LedgerProcess | undefined;
  let service: ChildProcess | undefined;
  let serviceLog = '';

  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(async () => {
    service?.kill('SIGKILL');
    await ledger?.dispose();
    folder.remove();
  });

  const startService = (baseUrl: string) => {
    service = spawn(process.execPath, [join(REPO, 'dist', 'examples', 'projection-service.js'), stateFile], {
      env: { ...process.env, LEDGER_URL: baseUrl, LEDGER_API_KEY: KEYS.reader.key },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service.stdout!.on('data', (chunk: Buffer) => (serviceLog += chunk.toString()));
    service.stderr!.on('data', (chunk: Buffer) => (serviceLog += chunk.toString()));
  };
  const stopService = async () => {
    const exited = new Promise((resolve) => service!.once('exit', resolve));
    service!.kill('SIGKILL');
    await exited;
  };
  const readModel = (): ReadModel | undefined =>
    existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as ReadModel) : undefined;
  /** Waits (bounded) until the service's file shows `condition`. */
  const untilModel = async (condition: (model: ReadModel) => boolean, what: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const model = readModel();
      if (model && condition(model)) return model;
      if (Date.now() > deadline)
        throw new Error(`the service never got ${what}: ${JSON.stringify(model)}\n${serviceLog}`);
      await sleep(25);
    }
  };

  it('keeps its read model exact across its own crash and a restart of the ledger: nothing lost, nothing counted twice', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    ledger = LedgerProcess.start(port, folder.dataDir, folder.keysFile);
    await ledger.waitUntilHealthy(baseUrl);

    const expected = new Map<string, bigint>();
    let acquisitions = 0;
    let lastAcquisition = '';
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.admin.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as { position: string };
      if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
      return answer.position;
    };
    for (const id of ['ca-jp', 'de']) {
      await post('/stockpiles', {
        id,
        name: `Reserve ${id}`,
        custodian: 'JOGMEC',
        participants: [{ country: 'JP', sharePercent: '100' }],
        effectiveAt: '2026-01-01',
      });
    }
    const materials = ['gallium', 'graphite-anode', 'ndpr-oxide'];
    /** the n-th acquisition, with amounts that need exact decimals; every 4th is followed by a release */
    const append = async (n: number) => {
      const material = materials[n % materials.length]!;
      const [amount, unit] = n % 2 ? [`${n}.125`, 'kg' as const] : [`${n}.5`, 't' as const];
      lastAcquisition = await post(`/stockpiles/${n % 3 ? 'ca-jp' : 'de'}/acquisitions`, {
        lotId: `lot-${n}`,
        material,
        quantity: { amount, unit },
        location: 'Yokohama',
        originCountry: 'CA',
        effectiveAt: '2026-01-10',
      });
      expected.set(material, (expected.get(material) ?? 0n) + gramsOf(amount, unit));
      acquisitions += 1;
      // other events, which the service's filter keeps out
      if (n % 4 === 0) {
        await post('/supply/trade-flows', {
          importer: 'JP',
          exporter: 'CN',
          material,
          year: 2000 + n,
          annualQuantity: { amount: '1', unit: 't' },
        });
      }
    };

    startService(baseUrl);
    for (let n = 1; n <= 20; n++) await append(n);
    await untilModel((model) => model.lastEventId === lastAcquisition, 'the first 20 acquisitions');

    // killed mid-stream, while appends go on
    const writer = (async () => {
      for (let n = 21; n <= 60; n++) await append(n);
    })();
    await untilModel((model) => model.events >= 25, 'a few of the next acquisitions');
    await stopService();
    await writer;
    startService(baseUrl);
    await untilModel((model) => model.lastEventId === lastAcquisition, 'every acquisition after its restart');

    // the ledger shuts down under the connected service (its feed ends, the drain does not wait for it),
    // comes back, and the service reconnects by itself
    ledger.child.kill('SIGTERM');
    expect(await ledger.exitWithin(10_000)).toEqual({ code: 0, signal: null });
    ledger = LedgerProcess.start(port, folder.dataDir, folder.keysFile);
    await ledger.waitUntilHealthy(baseUrl);
    for (let n = 61; n <= 70; n++) await append(n);
    const model = await untilModel(
      (current) => current.lastEventId === lastAcquisition,
      'the acquisitions after the ledger restarted',
    );

    expect(model.events).toBe(acquisitions);
    expect(Object.fromEntries(Object.entries(model.acquired).map(([m, kg]) => [m, kilogramsOf(kg)]))).toEqual(
      Object.fromEntries(expected),
    );
    // the ledger's own inventory agrees, to the gram
    const inventory = await fetch(`${baseUrl}/inventory?minPosition=${lastAcquisition}`, {
      headers: { authorization: `Bearer ${KEYS.reader.key}` },
    });
    const rows = ((await inventory.json()) as { rows: { material: string; acquired: string }[] }).rows;
    const fromInventory = new Map<string, bigint>();
    for (const row of rows) {
      fromInventory.set(row.material, (fromInventory.get(row.material) ?? 0n) + kilogramsOf(row.acquired));
    }
    expect(fromInventory).toEqual(expected);
  }, 120_000);
});
