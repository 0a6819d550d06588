import {
  parseCountry,
  parseInstant,
  parseMaterial,
  Quantity,
  supplyDecider,
  supplyStreamId,
  type SupplyCommand,
} from '@ledger/domain';
import {
  CommandHandler,
  envelopeFromJson,
  openSqliteDatabase,
  sealEvents,
  SqliteEventStore,
  storeDigest,
} from '@ledger/event-store';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportCommand } from '../apps/cli/src/commands/export.command';
import { offlineReport, reportCommand } from '../apps/cli/src/commands/report.command';
import { verifyCommand } from '../apps/cli/src/commands/verify.command';
import { runCli } from './support/cli';
import { expectProblem, KEYS, type KeyHolder, LedgerHarness } from './support/ledger-harness';
import { EsdbTestDouble } from './support/esdb-double/esdb-test-double';
import { createTestDatabase } from './support/postgres/test-database';
import { acquisition, release, reserveTemplate } from './support/stockpile-scenarios';

jest.setTimeout(30_000);

const GENESIS = '0'.repeat(64);
const STOCKPILE = 'stockpile-ca-jp-graphite';

/** A small but complete ledger: a joint stockpile, supply statistics (one revised), a restriction, an offtake. */
async function seed(ledger: LedgerHarness): Promise<void> {
  const ok = async (path: string, body: unknown, as: KeyHolder = 'admin') => {
    const response = await ledger.post(path, body, as);
    expect([200, 201]).toContain(response.status);
  };
  await ok('/stockpiles', reserveTemplate, 'jogmec');
  await ok('/stockpiles/ca-jp-graphite/acquisitions', acquisition, 'nrcan');
  await ok('/stockpiles/ca-jp-graphite/releases', release, 'jogmec');
  const flow = {
    importer: 'JP',
    exporter: 'CN',
    material: 'graphite-anode',
    year: 2025,
    annualQuantity: { amount: '9000', unit: 't' },
    effectiveAt: '2026-03-01',
  };
  await ok('/supply/trade-flows', flow, 'jogmec');
  await ok(
    '/supply/trade-flows',
    { ...flow, exporter: 'KR', annualQuantity: { amount: '1000', unit: 't' } },
    'jogmec',
  );
  await ok(
    '/supply/consumption',
    {
      country: 'JP',
      material: 'graphite-anode',
      year: 2025,
      annualQuantity: { amount: '12000', unit: 't' },
      effectiveAt: '2026-03-01',
    },
    'jogmec',
  );
  await ok('/export-restrictions', {
    id: 'cn-graphite-2023',
    imposedBy: 'CN',
    materials: ['graphite-flake', 'graphite-spherical', 'graphite-anode'],
    measure: 'licensing',
    appliesTo: ['*'],
    announcedOn: '2023-10-20',
    effectiveFrom: '2023-12-01',
    legalReference: 'MOFCOM/GAC Announcement No. 39 [2023]',
  });
  await ok('/projects', {
    id: 'nmg-becancour',
    name: 'Bécancour battery material plant',
    operator: 'Nouveau Monde Graphite',
    country: 'CA',
    materials: ['graphite-anode'],
    stage: 'construction',
    effectiveAt: '2022-08-01',
  });
  await ok('/projects/nmg-becancour/capacity', {
    material: 'graphite-anode',
    annualCapacity: { amount: '42616', unit: 't' },
    effectiveAt: '2022-08-01',
  });
  await ok('/projects/nmg-becancour/offtakes', {
    offtakeId: 'panasonic-aam',
    buyer: 'Panasonic Energy',
    buyerCountry: 'JP',
    material: 'graphite-anode',
    annualVolume: { amount: '18000', unit: 't' },
    startsOn: '2027-01-01',
    endsOn: '2034-01-01',
    effectiveAt: '2024-02-15',
  });
  // a revised statistic and a second lot, known only later
  await ok('/supply/trade-flows', { ...flow, annualQuantity: { amount: '9500', unit: 't' } }, 'jogmec');
  await ok(
    '/stockpiles/ca-jp-graphite/acquisitions',
    { ...acquisition, quantity: { amount: '300', unit: 't' } },
    'nrcan',
  );
}

/** Changes the ledger file behind the running API's back, as someone with access to the disk could. */
/** Waits until the projector (and with it the log index) has read the log up to `position`. */
async function projected(ledger: LedgerHarness, position: string): Promise<void> {
  expect((await ledger.get(`/inventory?minPosition=${position}`)).status).toBe(200);
}

function tamper(ledger: LedgerHarness, change: (db: Database.Database) => void): void {
  const db = new Database(join(ledger.dataDir, 'ledger.sqlite'));
  db.pragma('busy_timeout = 5000');
  try {
    db.transaction(() => change(db))();
  } finally {
    db.close();
  }
}

interface Row {
  position: number;
  event_id: string;
  stream_id: string;
  revision: number;
}
const rowsOf = (ledger: LedgerHarness, streamId: string): Row[] => {
  const db = new Database(join(ledger.dataDir, 'ledger.sqlite'), { readonly: true });
  try {
    return db
      .prepare(
        'SELECT position, event_id, stream_id, revision FROM events WHERE stream_id = ? ORDER BY revision',
      )
      .all(streamId) as Row[];
  } finally {
    db.close();
  }
};

describe('Audit trail over HTTP', () => {
  let ledger: LedgerHarness;

  beforeEach(async () => {
    ledger = await LedgerHarness.start();
  });
  afterEach(async () => {
    await ledger.stop();
  });

  describe('who may audit', () => {
    const paths = ['/audit/log', '/audit/verify', '/audit/digest', `/streams/${STOCKPILE}`];

    it('lets auditors and admins in, refuses readers and recorders (403) and missing keys (401)', async () => {
      await seed(ledger);
      for (const path of paths) {
        expectProblem(await ledger.request('GET', path), 401, 'unauthorized');
        expectProblem(await ledger.get(path, 'reader'), 403, 'forbidden');
        expectProblem(await ledger.get(path, 'jogmec'), 403, 'forbidden');
        expect((await ledger.get(path, 'auditor')).status).toBe(200);
        expect((await ledger.get(path, 'admin')).status).toBe(200);
      }
    });
  });

  describe('GET /streams/{streamId}', () => {
    it("returns the stream's events in order, chained from the genesis hash", async () => {
      await seed(ledger);
      const response = await ledger.get(`/streams/${STOCKPILE}`, 'auditor');
      expect(response.status).toBe(200);
      const { events } = response.body;
      expect(events.map((e: any) => [e.type, e.revision])).toEqual([
        ['StockpileEstablished', '0'],
        ['StockpileAcquired', '1'],
        ['StockpileReleased', '2'],
        ['StockpileAcquired', '3'],
      ]);
      for (const event of events) {
        expect(event).toMatchObject({
          eventId: expect.any(String),
          position: expect.stringMatching(/^\d+$/),
          recordedAt: expect.any(String),
          effectiveAt: expect.any(String),
          data: expect.any(Object),
          metadata: { prevHash: expect.stringMatching(/^[0-9a-f]{64}$/), hash: expect.any(String) },
        });
      }
      expect(events[0].metadata.prevHash).toBe(GENESIS);
      expect(events[1].metadata.prevHash).toBe(events[0].metadata.hash);
      expect(events[0].metadata.actor).toEqual({ name: 'jogmec', roles: ['recorder'] });
      expect(events[1].data.quantity).toEqual({ amount: '1200000', unit: 'kg' });
    });

    it('starts at fromRevision; 404 for an unknown stream; 400 for a bad revision', async () => {
      await seed(ledger);
      const tail = await ledger.get(`/streams/${STOCKPILE}?fromRevision=2`, 'auditor');
      expect(tail.body.events.map((e: any) => e.revision)).toEqual(['2', '3']);
      const past = await ledger.get(`/streams/${STOCKPILE}?fromRevision=9`, 'auditor');
      expect({ status: past.status, events: past.body.events }).toEqual({ status: 200, events: [] });
      expectProblem(await ledger.get('/streams/stockpile-nowhere', 'auditor'), 404, 'not-found');
      expectProblem(
        await ledger.get('/streams/stockpile-nowhere?fromRevision=3', 'auditor'),
        404,
        'not-found',
      );
      expectProblem(
        await ledger.get(`/streams/${STOCKPILE}?fromRevision=-1`, 'auditor'),
        400,
        'validation-failed',
      );
    });
  });

  describe('GET /audit/log', () => {
    it('pages through the global log with an exclusive fromPosition and nextPosition', async () => {
      await seed(ledger);
      const seen: string[] = [];
      let from = '0';
      for (let pages = 0; ; pages += 1) {
        const page = await ledger.get(`/audit/log?fromPosition=${from}&limit=4`, 'auditor');
        expect(page.status).toBe(200);
        seen.push(...page.body.events.map((e: any) => e.position));
        from = page.body.nextPosition;
        if (!page.body.hasMore) break;
        expect(pages).toBeLessThan(10);
      }
      expect(seen).toEqual(Array.from({ length: 12 }, (_, index) => String(index + 1)));
      expect(from).toBe('12');
      const after = await ledger.get('/audit/log?fromPosition=10', 'auditor');
      expect(after.body.events.map((e: any) => e.position)).toEqual(['11', '12']);
      expect(after.body.events[0]).toMatchObject({ streamId: expect.any(String), schemaVersion: 1 });
      expectFieldRefused(await ledger.get('/audit/log?limit=0', 'auditor'), 'limit');
      expectFieldRefused(await ledger.get('/audit/log?limit=10001', 'auditor'), 'limit');
      expectFieldRefused(await ledger.get('/audit/log?fromPosition=x', 'auditor'), 'fromPosition');
    });

    it('streams the whole log as NDJSON, every event once and in order, across many pages', async () => {
      await seed(ledger);
      await appendInBulk(ledger, 2100);
      const response = await fetch(`${ledger.baseUrl}/audit/log`, {
        headers: { authorization: `Bearer ${KEYS.auditor.key}`, accept: 'application/x-ndjson' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      expect(response.headers.get('x-ledger-head-position')).toBe('2112');
      const lines = (await response.text()).split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(2112);
      const events = lines.map((line) => envelopeFromJson(JSON.parse(line)));
      expect(events.map((e) => e.position)).toEqual(Array.from({ length: 2112 }, (_, i) => BigInt(i + 1)));
      expect(new Set(events.map((e) => e.eventId)).size).toBe(2112);

      // ?format=ndjson and fromPosition work the same way
      const rest = await fetch(`${ledger.baseUrl}/audit/log?format=ndjson&fromPosition=2109`, {
        headers: { authorization: `Bearer ${KEYS.auditor.key}` },
      });
      const positions = (await rest.text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).position);
      expect(positions).toEqual(['2110', '2111', '2112']);

      const verified = await ledger.get('/audit/verify', 'auditor');
      expect(verified.body).toMatchObject({
        verified: true,
        events: 2112,
        lastPosition: '2112',
        failures: [],
      });
    });
  });

  describe('GET /audit/verify and /audit/digest', () => {
    it('verifies an intact log, and its digest is the one GET /audit/digest gives, also after a restart', async () => {
      await seed(ledger);
      const verified = await ledger.get('/audit/verify', 'auditor');
      expect(verified.status).toBe(200);
      expect(verified.body).toEqual({
        verified: true,
        events: 12,
        streams: 4,
        sequence: '12',
        lastPosition: '12',
        densePositions: true,
        digest: expect.stringMatching(/^[0-9a-f]{64}$/),
        digestVersion: 2,
        failures: [],
        failureCount: 0,
      });
      const digest = await ledger.get('/audit/digest', 'auditor');
      expect(digest.body).toEqual({
        position: '12',
        sequence: '12',
        digest: verified.body.digest,
        version: 2,
        events: 12,
      });
      const earlier = await ledger.get('/audit/digest?position=5', 'auditor');
      expect(earlier.body).toMatchObject({ position: '5', events: 5 });
      expect(earlier.body.digest).not.toBe(digest.body.digest);

      await ledger.restart();
      expect((await ledger.get('/audit/digest?position=5', 'auditor')).body).toEqual(earlier.body);
      expect((await ledger.get('/audit/digest', 'auditor')).body).toEqual(digest.body);
    });

    it('answers 400 for a position that is not a number and 404 beyond the head', async () => {
      await seed(ledger);
      expectFieldRefused(await ledger.get('/audit/digest?position=abc', 'auditor'), 'position');
      expectFieldRefused(await ledger.get('/audit/digest?position=-3', 'auditor'), 'position');
      expectProblem(await ledger.get('/audit/digest?position=13', 'auditor'), 404, 'not-found');
      expect((await ledger.get('/audit/digest?position=0', 'auditor')).body).toEqual({
        position: '0',
        sequence: '0',
        digest: GENESIS,
        version: 2,
        events: 0,
      });
    });
  });

  describe('when someone alters the SQLite file', () => {
    const failuresOf = async () => {
      const response = await ledger.get('/audit/verify', 'auditor');
      expect(response.status).toBe(200);
      expect(response.body.verified).toBe(false);
      return response.body.failures as any[];
    };

    it('names the stream, revision and event whose data was changed, and the digest the ledger recorded no longer matches', async () => {
      await seed(ledger);
      const published = (await ledger.get('/audit/digest', 'auditor')).body;
      await projected(ledger, published.position);
      const target = rowsOf(ledger, STOCKPILE)[2]!; // the release
      tamper(ledger, (db) =>
        db
          .prepare(`UPDATE events SET data = json_set(data, '$.quantity.amount', '25050') WHERE position = ?`)
          .run(target.position),
      );
      expect(await failuresOf()).toEqual([
        {
          kind: 'hash-mismatch',
          streamId: STOCKPILE,
          revision: '2',
          eventId: target.event_id,
          position: String(target.position),
          message: expect.stringMatching(/^stored hash [0-9a-f]{64} but the content hashes to [0-9a-f]{64}$/),
        },
        // the log index recorded the digest through the last event when the projector first read it
        expect.objectContaining({
          kind: 'digest-mismatch',
          position: published.position,
          message: expect.stringMatching(/recorded time .* or an earlier event was altered/),
        }),
      ]);
      // /audit/digest answers what the ledger recorded, so a digest published earlier still reads the same;
      // recomputed from the stored content (the CLI), it no longer matches
      expect((await ledger.get(`/audit/digest?position=${published.position}`, 'auditor')).body).toEqual(
        published,
      );
      const check = await runCli(verifyCommand, [
        '--data-dir',
        ledger.dataDir,
        '--digest',
        published.digest,
        '--position',
        published.position,
      ]);
      expect(check.code).toBe(1);
      expect(check.stdout).toContain(`FAIL the digest at position ${published.position}`);
    });

    it('notices a changed effective time', async () => {
      await seed(ledger);
      await projected(ledger, '12');
      const target = rowsOf(ledger, STOCKPILE)[2]!;
      tamper(ledger, (db) =>
        db
          .prepare(`UPDATE events SET effective_at = '2026-01-20T00:00:00.000Z' WHERE position = ?`)
          .run(target.position),
      );
      expect(await failuresOf()).toEqual([
        expect.objectContaining({
          kind: 'hash-mismatch',
          streamId: STOCKPILE,
          revision: '2',
          eventId: target.event_id,
        }),
        // and the digest recorded through the last event no longer matches the one recomputed
        expect.objectContaining({ kind: 'digest-mismatch', position: '12' }),
      ]);
    });

    it('names the events of two that were swapped in the log', async () => {
      await seed(ledger);
      const [, acquired, released] = rowsOf(ledger, STOCKPILE);
      tamper(ledger, (db) => {
        const move = db.prepare('UPDATE events SET position = ? WHERE position = ?');
        move.run(-1, acquired!.position);
        move.run(acquired!.position, released!.position);
        move.run(released!.position, -1);
      });
      const failures = await failuresOf();
      expect(failures).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'revision-gap',
            streamId: STOCKPILE,
            revision: '2',
            eventId: released!.event_id,
            position: String(acquired!.position),
          }),
          expect.objectContaining({
            kind: 'revision-order',
            streamId: STOCKPILE,
            revision: '1',
            eventId: acquired!.event_id,
            position: String(released!.position),
          }),
        ]),
      );
    });

    it('names the event after a deleted row', async () => {
      await seed(ledger);
      const [, acquired, released] = rowsOf(ledger, STOCKPILE);
      tamper(ledger, (db) => db.prepare('DELETE FROM events WHERE position = ?').run(acquired!.position));
      expect(await failuresOf()).toEqual([
        expect.objectContaining({
          kind: 'revision-gap',
          streamId: STOCKPILE,
          revision: '2',
          eventId: released!.event_id,
          message: 'revision 1 is missing before this event',
        }),
      ]);
    });

    it('catches a rewrite that re-hashes the rest of the stream, through the digest the ledger recorded and a published one', async () => {
      await seed(ledger);
      const published = (await ledger.get('/audit/digest', 'auditor')).body;
      await projected(ledger, published.position);
      // A careful forger rewrites the release and re-seals every later event of the stream.
      const db = openSqliteDatabase(join(ledger.dataDir, 'ledger.sqlite'));
      const stream = await new SqliteEventStore(db).readStream(STOCKPILE);
      db.close();
      const forged = sealEvents(STOCKPILE, stream[1], [
        { ...stream[2]!, data: { ...(stream[2]!.data as object), recipient: 'Someone Else' } },
        stream[3]!,
      ]);
      tamper(ledger, (db) => {
        const update = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE event_id = ?');
        for (const event of forged)
          update.run(JSON.stringify(event.data), JSON.stringify(event.metadata), event.eventId);
      });
      // every chain holds again, but the digest recomputed through the last event is not the one recorded
      expect(await failuresOf()).toEqual([
        expect.objectContaining({ kind: 'digest-mismatch', position: published.position }),
      ]);

      const check = await runCli(verifyCommand, [
        '--url',
        ledger.baseUrl,
        '--key',
        KEYS.auditor.key,
        '--digest',
        published.digest,
        '--position',
        published.position,
      ]);
      expect(check.code).toBe(1);
      expect(check.stdout).toContain(`FAIL the digest at position ${published.position} is `);
    });

    it('catches the removal of the last events only through a published digest', async () => {
      await seed(ledger);
      const published = (await ledger.get('/audit/digest', 'auditor')).body;
      tamper(ledger, (db) =>
        db.prepare('DELETE FROM events WHERE position = ?').run(Number(published.position)),
      );
      expect((await ledger.get('/audit/verify', 'auditor')).body.verified).toBe(true);
      expectProblem(
        await ledger.get(`/audit/digest?position=${published.position}`, 'auditor'),
        404,
        'not-found',
      );
      const check = await runCli(verifyCommand, [
        '--url',
        ledger.baseUrl,
        '--key',
        KEYS.auditor.key,
        '--digest',
        published.digest,
        '--position',
        published.position,
      ]);
      expect(check.code).toBe(1);
      expect(check.stdout).toContain('events were removed');
    });
  });

  describe('the auditor CLI', () => {
    it('exports the whole log, from the server and from the data folder, byte for byte the same', async () => {
      await seed(ledger);
      await appendInBulk(ledger, 1200);
      const fromServer = join(ledger.dataDir, 'server.ndjson');
      const fromFolder = join(ledger.dataDir, 'folder.ndjson');
      const exported = await runCli(exportCommand, [
        '--url',
        ledger.baseUrl,
        '--key',
        KEYS.auditor.key,
        '--out',
        fromServer,
      ]);
      expect(exported).toMatchObject({ code: 0, stderr: `exported 1212 events to ${fromServer}\n` });
      expect((await runCli(exportCommand, ['--data-dir', ledger.dataDir, '--out', fromFolder])).code).toBe(0);
      const text = readFileSync(fromServer, 'utf8');
      expect(readFileSync(fromFolder, 'utf8')).toBe(text);
      expect(text.trimEnd().split('\n')).toHaveLength(1212);

      const toStdout = await runCli(exportCommand, ['--data-dir', ledger.dataDir]);
      expect(toStdout.stdout).toBe(text);

      const refused = runCli(exportCommand, [
        '--url',
        ledger.baseUrl,
        '--key',
        KEYS.reader.key,
        '--out',
        fromServer,
      ]);
      await expect(refused).rejects.toThrow(/403 forbidden/);
    });

    it('verifies an export file and a running server against a published digest, and names failures', async () => {
      await seed(ledger);
      const published = (await ledger.get('/audit/digest?position=9', 'auditor')).body;
      const head = (await ledger.get('/audit/digest', 'auditor')).body;
      const file = join(ledger.dataDir, 'ledger.ndjson');
      await runCli(exportCommand, ['--data-dir', ledger.dataDir, '--out', file]);

      const intact = await runCli(verifyCommand, [file, '--digest', published.digest, '--position', '9']);
      expect(intact.code).toBe(0);
      expect(intact.stdout).toContain('ok the digest at position 9 matches the published one');
      expect(intact.stdout).toContain(
        `verified: 12 events in 4 streams up to position 12, 0 failures; digest ${head.digest}`,
      );
      const server = await runCli(verifyCommand, [
        '--url',
        ledger.baseUrl,
        '--key',
        KEYS.admin.key,
        '--digest',
        head.digest,
      ]);
      expect(server.code).toBe(0);
      expect((await runCli(verifyCommand, ['--data-dir', ledger.dataDir])).code).toBe(0);
      await expect(runCli(verifyCommand, [])).rejects.toThrow(/exactly one log/);

      // an auditor's copy altered afterwards
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      const altered = JSON.parse(lines[4]!);
      altered.data.annualQuantity.amount = '1';
      lines[4] = JSON.stringify(altered);
      writeFileSync(file, `${lines.join('\n')}\n`);
      const broken = await runCli(verifyCommand, [
        file,
        '--digest',
        published.digest,
        '--position',
        '9',
        '--json',
      ]);
      expect(broken.code).toBe(1);
      const result = JSON.parse(broken.stdout);
      expect(result).toMatchObject({
        ok: false,
        verified: false,
        failures: [
          {
            kind: 'hash-mismatch',
            streamId: altered.streamId,
            revision: altered.revision,
            eventId: altered.eventId,
            position: '5',
          },
        ],
        publishedDigest: { matches: false, position: '9' },
      });
      const plain = await runCli(verifyCommand, [file]);
      expect(plain.code).toBe(1);
      expect(plain.stdout).toContain(
        `FAIL hash-mismatch: stream ${altered.streamId} revision ${altered.revision} event ${altered.eventId} (position 5)`,
      );
      expect((await runCli(reportCommand, ['inventory', file])).code).toBe(1);
    });

    it('names the first event of an export whose recorded time was shifted, and a digest published before no longer matches (issue 10, repro 4)', async () => {
      await seed(ledger);
      const published = (await ledger.get('/audit/digest', 'auditor')).body;
      const file = join(ledger.dataDir, 'ledger.ndjson');
      expect((await runCli(exportCommand, ['--data-dir', ledger.dataDir, '--out', file])).code).toBe(0);
      const lines = readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines.map((line) => line.sequence)).toEqual(lines.map((line) => line.position));
      expect(lines[lines.length - 1]).toMatchObject({ sequence: '12', digest: published.digest });

      // The knownAt axis rewritten: the second half recorded a year later, the order kept.
      const half = lines.length / 2;
      const shifted = lines.map((line, index) =>
        index < half ? line : { ...line, recordedAt: aYearLater(line.recordedAt) },
      );
      writeFileSync(file, shifted.map((line) => `${JSON.stringify(line)}\n`).join(''));
      const first = lines[half];
      const named = await runCli(verifyCommand, [file]);
      expect(named.code).toBe(1);
      const failures = named.stdout.match(/^FAIL .*$/gm)!;
      expect(failures).toHaveLength(1);
      expect(failures[0]).toContain(
        `FAIL digest-mismatch: stream ${first.streamId} revision ${first.revision} event ${first.eventId} ` +
          `(position ${first.position}): sequence ${first.sequence}, digest ${first.digest} recorded for this event`,
      );
      expect(failures[0]).toContain(
        `its recorded time (${shifted[half].recordedAt}), its position in the log or an earlier event was altered`,
      );
      // The offline report would answer differently at this knownAt: it refuses an export that does not verify.
      expect(
        (await runCli(reportCommand, ['exposure', file, '--country', 'JP', '--known-at', first.recordedAt]))
          .code,
      ).toBe(1);

      // Without the per-event digests (a forger drops them), the digest published before still tells.
      const stripped = join(ledger.dataDir, 'stripped.ndjson');
      writeFileSync(
        stripped,
        shifted.map(({ sequence: _s, digest: _d, ...envelope }) => `${JSON.stringify(envelope)}\n`).join(''),
      );
      expect((await runCli(verifyCommand, [stripped])).code).toBe(0);
      for (const cut of [
        ['--sequence', String(published.events)],
        ['--position', published.position],
      ]) {
        const check = await runCli(verifyCommand, [stripped, '--digest', published.digest, ...cut]);
        expect(check.code).toBe(1);
        expect(check.stdout).toContain(`FAIL the digest at ${cut[0]!.slice(2)} 12 is `);
        expect(check.stdout).toContain(`which does not match the published ${published.digest}`);
      }
    });

    it('checks a digest published before version 2 with --digest-version 1, and prints the sequence it computed', async () => {
      await seed(ledger);
      const db = openSqliteDatabase(join(ledger.dataDir, 'ledger.sqlite'));
      const store = new SqliteEventStore(db);
      const old = await storeDigest(store, { sequence: 9n, version: 1 });
      await store.close();
      db.close();
      const verify = (...options: string[]) =>
        runCli(verifyCommand, ['--data-dir', ledger.dataDir, '--digest', old.digest, ...options]);

      const ok = await verify('--sequence', '9', '--digest-version', '1');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('ok the digest at sequence 9 matches the published one');
      expect(ok.stdout).toContain(
        'digest version 1 through sequence 12; positions dense (each equals its sequence)',
      );
      const asVersion2 = await verify('--sequence', '9');
      expect(asVersion2.code).toBe(1);
      expect(asVersion2.stdout).toContain('(a digest published before version 2: --digest-version 1)');
      const beyond = await verify('--sequence', '13', '--digest-version', '1');
      expect(beyond.stdout).toContain(
        'the log ends at sequence 12, before the published sequence 13: events were removed',
      );
      await expect(verify('--sequence', '9', '--position', '9')).rejects.toThrow(/not both/);
      await expect(runCli(verifyCommand, ['--data-dir', ledger.dataDir, '--sequence', '9'])).rejects.toThrow(
        /go with --digest/,
      );
    });

    it('computes inventory and exposure offline from an export exactly as the server does', async () => {
      await seed(ledger);
      const log = (await ledger.get('/audit/log', 'auditor')).body.events;
      const file = join(ledger.dataDir, 'ledger.ndjson');
      await runCli(exportCommand, ['--url', ledger.baseUrl, '--key', KEYS.auditor.key, '--out', file]);
      const midway = log[9]; // after the offtake, before the revised flow and the second lot
      const cuts = [
        { asOf: '2027-06-01' },
        { asOf: '2027-06-01', knownAt: midway.position },
        { asOf: '2026-02-15', knownAt: '5' },
        { asOf: '2027-06-01T12:00:00Z', knownAt: midway.recordedAt },
      ];
      const query = (cut: { asOf: string; knownAt?: string }) =>
        `asOf=${encodeURIComponent(cut.asOf)}&minPosition=12` +
        (cut.knownAt === undefined ? '' : `&knownAt=${encodeURIComponent(cut.knownAt)}`);
      const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
      for (const cut of cuts) {
        const inventory = await ledger.get(`/inventory?${query(cut)}`);
        expect(inventory.status).toBe(200);
        expect(plain(await offlineReport('inventory', file, cut))).toEqual(inventory.body);
        const one = await ledger.get(`/exposure/JP/graphite-anode?${query(cut)}`);
        expect(one.status).toBe(200);
        expect(
          plain(await offlineReport('exposure', file, { ...cut, country: 'JP', material: 'graphite-anode' })),
        ).toEqual(one.body);
        const all = await ledger.get(`/exposure/JP?${query(cut)}`);
        expect(plain(await offlineReport('exposure', file, { ...cut, country: 'JP' }))).toEqual(all.body);
      }
      // the cuts differ, so the comparison is not of empty reports
      const late = await offlineReport('exposure', file, {
        asOf: '2027-06-01',
        country: 'JP',
        material: 'graphite-anode',
      });
      const early = await offlineReport('exposure', file, {
        asOf: '2027-06-01',
        knownAt: midway.position,
        country: 'JP',
        material: 'graphite-anode',
      });
      expect(late).toMatchObject({ restrictedShare: '0.904762', offtakeCoverage: '1.5' });
      expect(early).toMatchObject({ restrictedShare: '0.9' });

      const printed = await runCli(reportCommand, [
        'inventory',
        file,
        '--as-of',
        '2026-02-15',
        '--known-at',
        '5',
      ]);
      expect(printed.code).toBe(0);
      expect(JSON.parse(printed.stdout)).toEqual(
        (await ledger.get(`/inventory?asOf=2026-02-15&knownAt=5&minPosition=12`)).body,
      );
    });
  });
});

/** A server event store for one test: where the CLI finds it, what the ledger was configured with. */
interface ServerStore {
  url: string;
  /** whether its positions are the dense 1, 2, 3, ... (PostgreSQL) or byte offsets (EventStoreDB) */
  densePositions: boolean;
  /** whether recorded time may run backwards along the log (EventStoreDB's clock, as is) */
  clockStepsBack: boolean;
  stop(): Promise<void>;
}

const serverStores: [string, () => Promise<ServerStore>][] = [
  [
    'PostgreSQL',
    async () => {
      const database = await createTestDatabase();
      return { url: database.url, densePositions: true, clockStepsBack: false, stop: () => database.drop() };
    },
  ],
  [
    'EventStoreDB (gRPC test double), whose clock steps back by an hour now and then',
    async () => {
      let appends = 0;
      // every third recorded time an hour behind the one before: the server's clock, not tampering
      const clock = () => Date.now() - ((appends += 1) % 3 === 0 ? 3_600_000 : 0);
      const double = await EsdbTestDouble.start({ batchAppend: true, clock });
      return {
        url: double.connectionString(),
        densePositions: false,
        clockStepsBack: true,
        stop: () => double.stop(),
      };
    },
  ],
];

describe.each(serverStores)('The auditor CLI on a log in %s', (_name, startStore) => {
  let ledger: LedgerHarness;
  let store: ServerStore;

  beforeEach(async () => {
    store = await startStore();
    ledger = await LedgerHarness.start({ LEDGER_EVENT_STORE: store.url });
  });
  afterEach(async () => {
    await ledger.stop();
    await store.stop();
  });

  it('exports and verifies the log straight from the store (--event-store), as the server sends it', async () => {
    await seed(ledger);
    const published = (await ledger.get('/audit/digest', 'auditor')).body;
    const fromServer = join(ledger.dataDir, 'server.ndjson');
    const fromStore = join(ledger.dataDir, 'store.ndjson');
    const key = KEYS.auditor.key;
    expect(
      (await runCli(exportCommand, ['--url', ledger.baseUrl, '--key', key, '--out', fromServer])).code,
    ).toBe(0);
    // no data folder: the log is read from the store itself
    const exported = await runCli(exportCommand, ['--event-store', store.url, '--out', fromStore]);
    expect(exported).toMatchObject({ code: 0, stderr: `exported 12 events to ${fromStore}\n` });
    expect(readFileSync(fromStore, 'utf8')).toBe(readFileSync(fromServer, 'utf8'));
    const recordedAt = readFileSync(fromStore, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).recordedAt as string);
    expect(recordedAt.some((time, index) => index > 0 && time < recordedAt[index - 1]!)).toBe(
      store.clockStepsBack,
    );

    const verified = await runCli(verifyCommand, [
      '--event-store',
      store.url,
      '--digest',
      published.digest,
      '--sequence',
      String(published.events),
    ]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('ok the digest at sequence 12 matches the published one');
    expect(verified.stdout).toContain(
      `digest version 2 through sequence 12; positions ${store.densePositions ? 'dense' : 'not dense'}`,
    );
    expect(
      (await runCli(verifyCommand, [fromStore, '--digest', published.digest, '--sequence', '12'])).code,
    ).toBe(0);
  });
});

/** The same instant a year later: a recorded time moved, as a forger of the knownAt axis would. */
function aYearLater(recordedAt: string): string {
  const date = new Date(recordedAt);
  date.setUTCFullYear(date.getUTCFullYear() + 1);
  return date.toISOString();
}

/** Asserts a validation problem naming `field`. */
function expectFieldRefused(response: { status: number; body: any; headers: Headers }, field: string): void {
  expectProblem(response as any, 400, 'validation-failed');
  expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
}

/**
 * Many trade-flow statistics written straight through the command handler on a second connection (much
 * faster than HTTP), spread over a few importers' streams: enough for several pages of the log.
 */
async function appendInBulk(ledger: LedgerHarness, count: number): Promise<void> {
  const db = openSqliteDatabase(join(ledger.dataDir, 'ledger.sqlite'));
  db.pragma('synchronous = OFF');
  const store = new SqliteEventStore(db);
  const handler = new CommandHandler(store);
  const importers = ['DE', 'FR', 'KR', 'US', 'GB', 'IT', 'ES', 'NL'].map((c) => parseCountry(c));
  try {
    for (let index = 0; index < count; index += 1) {
      const importer = importers[index % importers.length]!;
      const command: SupplyCommand = {
        type: 'RecordTradeFlow',
        importer,
        exporter: parseCountry('CN'),
        material: parseMaterial('gallium'),
        year: 1900 + (index % 120),
        annualQuantity: Quantity.parse({ amount: String(1 + index), unit: 't' }),
        effectiveAt: parseInstant('2026-04-01', 'effectiveAt'),
      };
      await handler.handle({
        decider: supplyDecider,
        streamId: supplyStreamId(importer),
        command,
        context: { actor: { name: 'bulk-loader', roles: ['admin'] }, correlationId: `bulk-${index}` },
      });
    }
  } finally {
    await store.close();
    db.close();
  }
}
