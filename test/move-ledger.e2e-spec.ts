import {
  exportRestrictionDecider,
  exportRestrictionStreamId,
  type Instant,
  parseCountry,
  parseDay,
  parseInstant,
  parseMaterial,
  projectDecider,
  projectStreamId,
  Quantity,
  stockpileDecider,
  stockpileStreamId,
  supplyDecider,
  supplyStreamId,
} from '@ledger/domain';
import {
  CommandHandler,
  createEventStore,
  type EventStore,
  envelopeFromJson,
  importLog,
  type ImportResult,
  loadStoreConfig,
  openSqliteDatabase,
  SqliteEventStore,
  type StoreConfig,
  storeDigest,
} from '@ledger/event-store';
import {
  type Bitemporal,
  ledgerQueries,
  openReadModelStore,
  rebuildReadModels,
  type ReadModelStore,
} from '@ledger/projections';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCommand } from '../apps/cli/src/commands/export.command';
import { importCommand } from '../apps/cli/src/commands/import.command';
import { migrateCommand } from '../apps/cli/src/commands/migrate.command';
import { reportCommand } from '../apps/cli/src/commands/report.command';
import { seedCommand } from '../apps/cli/src/commands/seed.command';
import { verifyCommand } from '../apps/cli/src/commands/verify.command';
import { runCli } from './support/cli';
import { EsdbTestDouble } from './support/esdb-double/esdb-test-double';
import { KEYS, LedgerHarness } from './support/ledger-harness';
import { createTestDatabase, type TestDatabase } from './support/postgres/test-database';

jest.setTimeout(120_000);

const DAY = 86_400_000;
const folders: string[] = [];
const tempFolder = (prefix: string) => {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
};

/**
 * Facts the ledger learned after the demo, each a day or more apart (the store's clock set to then), so
 * that "known at" cuts between them answer differently: a revised trade flow, a lifted measure, a stage
 * reached, a release from the stockpile, a revised consumption figure.
 */
async function recordLaterFacts(dataDir: string, start: number): Promise<void> {
  let now = start;
  const db = openSqliteDatabase(join(dataDir, 'ledger.sqlite'));
  const store = new SqliteEventStore(db, () => new Date(now));
  const handler = new CommandHandler(store);
  const context = (n: number) => ({ actor: { name: 'ops', roles: ['admin'] }, correlationId: `later-${n}` });
  const at = (day: string) => parseInstant(day, 'effectiveAt');
  const recordedNow = () => new Date(now).toISOString() as Instant;
  const japan = parseCountry('JP');
  const graphite = parseMaterial('graphite-anode');
  try {
    await handler.handle({
      decider: supplyDecider,
      streamId: supplyStreamId(japan),
      command: {
        type: 'RecordTradeFlow',
        importer: japan,
        exporter: parseCountry('CN'),
        material: graphite,
        year: 2023,
        annualQuantity: Quantity.parse({ amount: '45000', unit: 't' }),
        effectiveAt: at('2024-03-01'),
      },
      context: context(1),
    });
    now += 2 * DAY;
    await handler.handle({
      decider: exportRestrictionDecider,
      streamId: exportRestrictionStreamId('cn-dual-use-jp-2026'),
      command: {
        type: 'LiftRestriction',
        restrictionId: 'cn-dual-use-jp-2026',
        effectiveFrom: parseDay('2026-03-01', 'effectiveFrom'),
        effectiveAt: at('2026-03-01'),
      },
      context: context(2),
    });
    now += 3 * DAY;
    await handler.handle({
      decider: projectDecider,
      streamId: projectStreamId('nmg-becancour'),
      command: {
        type: 'AdvanceStage',
        projectId: 'nmg-becancour',
        stage: 'commissioning',
        effectiveAt: at('2025-12-01'),
        now: recordedNow(),
      },
      context: context(3),
    });
    now += DAY;
    await handler.handle({
      decider: stockpileDecider,
      streamId: stockpileStreamId('ca-jp-critical-minerals'),
      command: {
        type: 'ReleaseStock',
        stockpileId: 'ca-jp-critical-minerals',
        releaseId: 'aam-release-2026-02',
        material: graphite,
        quantity: Quantity.parse({ amount: '250', unit: 't' }),
        location: 'Yokohama bonded warehouse',
        recipient: 'Panasonic Energy',
        recipientCountry: japan,
        reason: 'second release after the export ban',
        authorisationRef: 'METI-2026-011',
        effectiveAt: at('2026-02-10'),
        now: recordedNow(),
      },
      context: context(4),
    });
    now += 4 * DAY;
    await handler.handle({
      decider: supplyDecider,
      streamId: supplyStreamId(japan),
      command: {
        type: 'RecordConsumption',
        country: japan,
        material: graphite,
        year: 2023,
        annualQuantity: Quantity.parse({ amount: '60000', unit: 't' }),
        effectiveAt: at('2024-03-01'),
      },
      context: context(5),
    });
  } finally {
    await store.close();
    db.close();
  }
}

const json = (value: unknown) =>
  JSON.stringify(value, (_key, member: unknown) => (typeof member === 'bigint' ? member.toString() : member));

/** What the read models answer at a cut: inventory, exposure, restrictions and a project, as JSON. */
async function reportsAt(readModels: ReadModelStore, cut: Bitemporal): Promise<string> {
  const queries = ledgerQueries(readModels.reader);
  const activeOn = cut.asOf.slice(0, 10);
  return json({
    inventory: await queries.inventory.inventory({}, cut, { limit: 1000 }),
    graphite: await queries.exposure.exposure('JP', 'graphite-anode', cut),
    gallium: await queries.exposure.exposure('JP', 'gallium', cut),
    restrictions: await queries.restrictions.active({ activeOn, importer: 'JP' }, cut),
    dualUse: await queries.restrictions.restriction('cn-dual-use-jp-2026', cut),
    project: await queries.projects.project('nmg-becancour', cut),
  });
}

/** A store's configuration the way the CLI is given it, with the read store its read models live in. */
interface Place {
  name: string;
  /** --event-store / --from / --to */
  location: string;
  /** --read-store */
  readStore: string;
  config: StoreConfig;
  /** whether positions are the dense 1..N, so position cuts and the export itself stay the same */
  densePositions: boolean;
}

const sqlitePlace = (name: string, dataDir: string): Place => ({
  name,
  location: `sqlite:${dataDir}`,
  readStore: 'sqlite',
  config: loadStoreConfig({ LEDGER_DATA_DIR: dataDir }),
  densePositions: true,
});

async function withEventStore<T>(place: Place, work: (store: EventStore) => Promise<T>): Promise<T> {
  const store = await createEventStore(place.config);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function withReadModels<T>(place: Place, work: (store: ReadModelStore) => Promise<T>): Promise<T> {
  const store = await openReadModelStore(place.config);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function exportOf(place: Place, file: string): Promise<string> {
  const exported = await runCli(exportCommand, ['--event-store', place.location, '--out', file]);
  expect(exported.code).toBe(0);
  return file;
}

/** `report` of the auditor CLI from an export: exactly what it prints. */
async function offlineReports(file: string, cuts: { asOf: string; knownAt: string }[]): Promise<string[]> {
  const printed: string[] = [];
  for (const { asOf, knownAt } of cuts) {
    const cut = ['--as-of', asOf, '--known-at', knownAt];
    for (const argv of [
      ['inventory', file, ...cut],
      ['exposure', file, '--country', 'JP', ...cut],
    ]) {
      const report = await runCli(reportCommand, argv);
      expect(report.code).toBe(0);
      printed.push(report.stdout);
    }
  }
  return printed;
}

// One round trip: each move starts from the store the one before it filled, so the cases run in order.
describe('Moving a ledger: SQLite → PostgreSQL → EventStoreDB (gRPC test double) → SQLite', () => {
  let ledger: LedgerHarness;
  let postgres: TestDatabase;
  let postgresReads: TestDatabase;
  let double: EsdbTestDouble;
  let source: Place;
  let firstExport: string;
  /** (asOf, knownAt as a recorded time) pairs, and a few knownAt positions for the dense stores */
  let timeCuts: Bitemporal[];
  let positionCuts: Bitemporal[];
  const reportsBefore = new Map<Bitemporal, string>();
  let offlineBefore: string[];
  let published: { sequence: bigint; digest: string }[];
  let offlineCuts: { asOf: string; knownAt: string }[];

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    // The demo through the API (the seed command's own code), then facts learned on later days.
    const seeded = await runCli(seedCommand, ['--url', ledger.baseUrl, '--key', KEYS.admin.key]);
    expect(seeded.code).toBe(0);
    await recordLaterFacts(ledger.dataDir, Date.now() + DAY);
    source = sqlitePlace('SQLite (the source)', ledger.dataDir);

    const log = await withEventStore(source, (store) => store.readAll({ limit: 10_000 }));
    expect(log.length).toBeGreaterThan(25);
    const recordedAt = (index: number) => log[index < 0 ? log.length + index : index]!.recordedAt;
    const afterAll = new Date(Date.parse(recordedAt(-1)) + DAY).toISOString();
    const knownAts = [
      recordedAt(8),
      recordedAt(-6),
      recordedAt(-5),
      recordedAt(-4),
      recordedAt(-2),
      afterAll,
    ];
    const asOfs = ['2025-06-30', '2026-02-05', '2026-02-20', '2026-03-15', '2027-06-01'].map(
      (day) => `${day}T00:00:00.000Z`,
    );
    timeCuts = asOfs.flatMap((asOf) =>
      knownAts.map((knownAt) => ({ asOf, knownAt: { recordedAt: knownAt } })),
    );
    positionCuts = asOfs.map((asOf, index) => ({ asOf, knownAt: { position: BigInt(9 + index * 5) } }));
    offlineCuts = ['2026-02-05', '2027-06-01'].flatMap((asOf) =>
      knownAts.map((knownAt) => ({ asOf, knownAt })),
    );

    // The reports before any move: the read models rebuilt from the source log in a read store of their own.
    const before = { ...sqlitePlace('reports before', tempFolder('ledger-before-')) };
    await withEventStore(source, (events) =>
      withReadModels(before, async (readModels) => {
        await rebuildReadModels(events, readModels);
        for (const cut of [...timeCuts, ...positionCuts])
          reportsBefore.set(cut, await reportsAt(readModels, cut));
      }),
    );
    published = await withEventStore(source, async (store) =>
      Promise.all(
        [5n, BigInt(log.length - 3), BigInt(log.length)].map(async (sequence) => ({
          sequence,
          digest: (await storeDigest(store, { sequence })).digest,
        })),
      ),
    );
    firstExport = await exportOf(source, join(tempFolder('ledger-export-'), 'before.ndjson'));
    offlineBefore = await offlineReports(firstExport, offlineCuts);

    postgres = await createTestDatabase();
    postgresReads = await createTestDatabase();
    double = await EsdbTestDouble.start({ batchAppend: true });
  });

  afterAll(async () => {
    await ledger?.stop();
    await postgres?.drop();
    await postgresReads?.drop();
    await double?.stop();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('asks questions whose answers differ from cut to cut, so equal answers after a move mean something', () => {
    expect(timeCuts.length).toBeGreaterThanOrEqual(20);
    const perAsOf = new Map<string, Set<string>>();
    for (const cut of timeCuts) {
      const seen = perAsOf.get(cut.asOf) ?? new Set<string>();
      seen.add(reportsBefore.get(cut)!);
      perAsOf.set(cut.asOf, seen);
    }
    for (const answers of perAsOf.values()) expect(answers.size).toBeGreaterThanOrEqual(3);
    expect(new Set(timeCuts.map((cut) => reportsBefore.get(cut))).size).toBeGreaterThanOrEqual(15);
  });

  /** What must hold in every store the ledger was moved to. */
  async function expectTheSameLedger(place: Place): Promise<void> {
    // a published digest verifies, at its sequence, with the auditor CLI and through the store itself
    const last = published[published.length - 1]!;
    const verified = await runCli(verifyCommand, [
      '--event-store',
      place.location,
      '--digest',
      last.digest,
      '--sequence',
      String(last.sequence),
    ]);
    expect(verified.stdout).toContain(`ok the digest at sequence ${last.sequence} matches the published one`);
    expect(verified.stdout).toContain(`positions ${place.densePositions ? 'dense' : 'not dense'}`);
    expect(verified.code).toBe(0);
    await withEventStore(place, async (store) => {
      for (const { sequence, digest } of published)
        expect((await storeDigest(store, { sequence })).digest).toBe(digest);
    });

    // every (asOf, knownAt) report from the read models rebuilt in the target's read store; a restriction's
    // history names the position of each change, which is the store's own (the same only on dense stores)
    const portable = (report: string) =>
      place.densePositions
        ? report
        : JSON.stringify(JSON.parse(report), (key, value: unknown) =>
            key === 'position' ? undefined : value,
          );
    await withReadModels(place, async (readModels) => {
      for (const cut of timeCuts)
        expect(portable(await reportsAt(readModels, cut))).toBe(portable(reportsBefore.get(cut)!));
      // positions, and so knownAt=<position> and minPosition, survive only between dense stores
      if (place.densePositions) {
        for (const cut of positionCuts) expect(await reportsAt(readModels, cut)).toBe(reportsBefore.get(cut));
      }
    });

    // the auditor's offline reports from an export taken now, byte for byte those from the first export
    const exported = await exportOf(place, join(tempFolder('ledger-export-'), 'after.ndjson'));
    expect(await offlineReports(exported, offlineCuts)).toEqual(offlineBefore);
    const lines = (file: string) =>
      readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const withoutPositions = (file: string) => lines(file).map(({ position: _position, ...line }) => line);
    if (place.densePositions) expect(readFileSync(exported, 'utf8')).toBe(readFileSync(firstExport, 'utf8'));
    else expect(withoutPositions(exported)).toEqual(withoutPositions(firstExport));
  }

  it('imports an export into PostgreSQL: same digests, same reports, same positions, the same export', async () => {
    const target: Place = {
      name: 'PostgreSQL',
      location: postgres.url,
      readStore: postgresReads.url,
      config: loadStoreConfig({ LEDGER_EVENT_STORE: postgres.url, LEDGER_READ_STORE: postgresReads.url }),
      densePositions: true,
    };
    const imported = await runCli(importCommand, [
      firstExport,
      '--event-store',
      target.location,
      '--read-store',
      target.readStore,
    ]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const events = published[published.length - 1]!;
    expect(imported.stdout).toContain(`imported ${events.sequence} events into `);
    expect(imported.stdout).toContain(`digest ${events.digest} at sequence ${events.sequence}, the source's`);
    expect(imported.stdout).toMatch(/rebuilt .*inventory/);
    await expectTheSameLedger(target);
  });

  it('migrates PostgreSQL to EventStoreDB: the recorded times move along, the positions do not', async () => {
    const readsDir = tempFolder('ledger-esdb-reads-');
    const target: Place = {
      name: 'EventStoreDB',
      location: double.connectionString(),
      readStore: `sqlite:${readsDir}`,
      config: loadStoreConfig({
        LEDGER_EVENT_STORE: double.connectionString(),
        LEDGER_DATA_DIR: readsDir,
      }),
      densePositions: false,
    };
    const migrated = await runCli(migrateCommand, [
      '--from',
      postgres.url,
      '--to',
      target.location,
      '--read-store',
      target.readStore,
    ]);
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    await expectTheSameLedger(target);
    // the server's own `created` is the time of the move; the ledger's recorded time is the original
    const [first] = readFileSync(firstExport, 'utf8')
      .split('\n')
      .map((line) => JSON.parse(line || '{}'));
    const [stored] = double.log.stream(first.streamId)!;
    const envelope = JSON.parse(Buffer.from(stored!.customMetadata).toString('utf8'));
    expect(envelope.ledger.recordedAt).toBe(first.recordedAt);
    expect(new Date(Number(stored!.created / 10_000n)).toISOString()).not.toBe(first.recordedAt);
  });

  it('migrates EventStoreDB back to an embedded ledger: everything, positions included, as it was', async () => {
    const dataDir = join(tempFolder('ledger-back-'), 'data');
    const target = sqlitePlace('SQLite (back)', dataDir);
    const migrated = await runCli(migrateCommand, ['--from', double.connectionString(), '--to', dataDir]);
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    await expectTheSameLedger(target);
  });
});

describe('Importing a ledger, when something is in the way', () => {
  let ledger: LedgerHarness;
  let exported: string;
  let events: number;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    expect((await runCli(seedCommand, ['--url', ledger.baseUrl, '--key', KEYS.admin.key])).code).toBe(0);
    exported = join(tempFolder('ledger-export-'), 'ledger.ndjson');
    expect((await runCli(exportCommand, ['--data-dir', ledger.dataDir, '--out', exported])).code).toBe(0);
    events = readFileSync(exported, 'utf8').trimEnd().split('\n').length;
  });
  afterAll(async () => {
    await ledger?.stop();
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  const headOf = (config: StoreConfig) =>
    createEventStore(config).then(async (store) => {
      try {
        return await store.readAll({ limit: 10_000 });
      } finally {
        await store.close();
      }
    });

  it('resumes an interrupted import into PostgreSQL without duplicating an event', async () => {
    const database = await createTestDatabase();
    try {
      const config = loadStoreConfig({ LEDGER_EVENT_STORE: database.url });
      // The first try dies after two batches of five: a prefix of the log is in the target.
      const store = await createEventStore(config);
      let calls = 0;
      const dying: EventStore = Object.assign(Object.create(store) as EventStore, {
        importRecorded: async (batch: Parameters<EventStore['importRecorded']>[0]): Promise<ImportResult> => {
          calls += 1;
          if (calls === 3) throw new Error('the process died here');
          return store.importRecorded(batch);
        },
      });
      const lines = readFileSync(exported, 'utf8').trimEnd().split('\n');
      async function* exportLines() {
        for (const line of lines) yield envelopeFromJson(JSON.parse(line));
      }
      await expect(importLog(exportLines(), dying, { batchSize: 5 })).rejects.toThrow(
        'the process died here',
      );
      await store.close();
      expect(await headOf(config)).toHaveLength(10);

      const resumed = await runCli(importCommand, [
        exported,
        '--event-store',
        database.url,
        '--read-store',
        `sqlite:${tempFolder('ledger-reads-')}`,
      ]);
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain(`imported ${events - 10} events into `);
      expect(resumed.stdout).toContain('after 10 events it held already (resumed)');
      const stored = await headOf(config);
      expect(stored.map((event) => event.position)).toEqual(stored.map((_, index) => BigInt(index + 1)));
      expect(new Set(stored.map((event) => event.eventId)).size).toBe(events);

      // run once more: nothing left to write, nothing written twice
      const again = await runCli(importCommand, [exported, '--event-store', database.url, '--no-rebuild']);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`imported 0 events`);
      expect(await headOf(config)).toHaveLength(events);
    } finally {
      await database.drop();
    }
  });

  it('refuses a target that holds another ledger, and leaves it as it was', async () => {
    const dataDir = tempFolder('ledger-other-');
    const other = sqlitePlace('another ledger', dataDir);
    const store = await createEventStore(other.config);
    await new CommandHandler(store).handle({
      decider: supplyDecider,
      streamId: supplyStreamId(parseCountry('DE')),
      command: {
        type: 'RecordTradeFlow',
        importer: parseCountry('DE'),
        exporter: parseCountry('CN'),
        material: parseMaterial('gallium'),
        year: 2024,
        annualQuantity: Quantity.parse({ amount: '20', unit: 't' }),
        effectiveAt: parseInstant('2024-06-01', 'effectiveAt'),
      },
      context: { actor: { name: 'ops', roles: ['admin'] }, correlationId: 'other' },
    });
    await store.close();
    const refused = await runCli(importCommand, [exported, '--event-store', `sqlite:${dataDir}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error: the target is not empty and does not hold the first events of this log \(an import to resume\): its event at sequence 1 \(supply-DE@0, event [0-9a-f-]+\) differs from this log's in eventId\n$/,
    );
    expect(await headOf(other.config)).toHaveLength(1);
  });

  it('refuses an export that does not verify, and writes nothing', async () => {
    const lines = readFileSync(exported, 'utf8').trimEnd().split('\n');
    const altered = JSON.parse(lines[6]!) as { recordedAt: string; eventId: string; streamId: string };
    altered.recordedAt = new Date(Date.parse(altered.recordedAt) + 3_600_000).toISOString();
    lines[6] = JSON.stringify(altered);
    const file = join(tempFolder('ledger-altered-'), 'altered.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const dataDir = join(tempFolder('ledger-target-'), 'data');
    const refused = await runCli(importCommand, [file, '--event-store', `sqlite:${dataDir}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: ${file} does not verify (1 failures), so nothing was imported`);
    expect(refused.stderr).toContain(`digest-mismatch: stream ${altered.streamId}`);
    expect(refused.stdout).toBe('');
    // no ledger was created: nothing to import into any store
    await expect(runCli(verifyCommand, ['--data-dir', dataDir])).rejects.toThrow(/no ledger at/);
  });
});
