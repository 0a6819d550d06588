import { openSqliteDatabase, SqliteEventStore, storeDigest } from '@ledger/event-store';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupCommand } from '../apps/cli/src/commands/backup.command';
import { restoreCommand } from '../apps/cli/src/commands/restore.command';
import { seedCommand } from '../apps/cli/src/commands/seed.command';
import { verifyCommand } from '../apps/cli/src/commands/verify.command';
import { runCli } from './support/cli';
import { KEYS, LedgerHarness } from './support/ledger-harness';
import { type ProcessOutcome, runTypeScriptProcess } from './support/postgres/ts-process';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Events in a ledger file, read on a connection of its own. */
function eventsIn(file: string): number {
  const db = openSqliteDatabase(file);
  try {
    return Number(db.prepare('SELECT count(*) FROM events').pluck().get());
  } finally {
    db.close();
  }
}

/** Waits (bounded) until `condition` holds; the test's own expectations then say whether it did. */
async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 600 && !condition(); tries += 1) await sleep(50);
}

/** The sequence and digest a `backup` or `restore` reported. */
function reported(stdout: string): { sequence: bigint; digest: string } {
  const match = /digest ([0-9a-f]{64}) at sequence (\d+)/.exec(stdout);
  if (!match) throw new Error(`no digest in ${JSON.stringify(stdout)}`);
  return { digest: match[1]!, sequence: BigInt(match[2]!) };
}

describe('Backup and restore of the embedded ledger', () => {
  let ledger: LedgerHarness;
  let folder: string;
  let backupFile: string;
  let backedUp: { sequence: bigint; digest: string };

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ledger-backup-'));
    ledger = await LedgerHarness.start();
    expect((await runCli(seedCommand, ['--url', ledger.baseUrl, '--key', KEYS.admin.key])).code).toBe(0);
  });
  afterAll(async () => {
    await ledger?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('copies the ledger while another process and the API keep appending, and the copy verifies', async () => {
    const file = join(ledger.dataDir, 'ledger.sqlite');
    const stopFile = join(folder, 'stop');
    const startedFile = join(folder, 'started');
    // A second process writes commands to the same file all along, as a busy ledger's writer would.
    const appender: Promise<ProcessOutcome> = runTypeScriptProcess(
      join(__dirname, 'support', 'ledger-appender.ts'),
      [file, stopFile, startedFile],
    );
    // ... and the API takes commands too.
    let posting = true;
    let posted = 0;
    const poster = (async () => {
      for (let year = 1900; posting; year += 1) {
        const response = await ledger.post(
          '/supply/trade-flows',
          {
            importer: 'JP',
            exporter: 'AU',
            material: 'germanium',
            year,
            annualQuantity: { amount: '3', unit: 't' },
          },
          'jogmec',
        );
        expect(response.status).toBe(200);
        posted += 1;
      }
    })();
    try {
      await until(() => existsSync(startedFile) && eventsIn(file) > 300);
      const before = eventsIn(file);
      backupFile = join(folder, 'ledger.backup');
      const backup = await runCli(backupCommand, ['--data-dir', ledger.dataDir, '--out', backupFile]);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      backedUp = reported(backup.stdout);
      expect(backup.stdout).toContain(`backed up ${backedUp.sequence} events to ${backupFile}`);
      expect(backup.stdout).toContain("the running ledger's");
      expect(backedUp.sequence).toBeGreaterThanOrEqual(BigInt(before));
      // no writer was stopped: both go on after the copy
      const copied = Number(backedUp.sequence);
      await until(() => eventsIn(file) > copied + 20);
      expect(eventsIn(file)).toBeGreaterThan(copied);
    } finally {
      posting = false;
      writeFileSync(stopFile, '');
      await poster;
    }
    const appended = await appender;
    expect(appended.stderr).toBe('');
    expect(appended.code).toBe(0);
    expect(JSON.parse(appended.stdout).commands).toBeGreaterThan(0);
    expect(posted).toBeGreaterThan(0);
    expect(readdirSync(folder).filter((name) => name.startsWith('ledger.backup'))).toEqual(['ledger.backup']);

    // The copy is the live log's first events exactly: the live digest at the copy's sequence is the copy's.
    const db = openSqliteDatabase(file);
    try {
      const live = await storeDigest(new SqliteEventStore(db), { sequence: backedUp.sequence });
      expect(live.digest).toBe(backedUp.digest);
    } finally {
      db.close();
    }
  });

  it('never overwrites an existing backup file', async () => {
    await expect(runCli(backupCommand, ['--data-dir', ledger.dataDir, '--out', backupFile])).rejects.toThrow(
      /exists already: a backup never overwrites/,
    );
  });

  it('restores into an empty data folder, where the ledger verifies with the digest of the backup', async () => {
    const dataDir = join(folder, 'restored');
    const restored = await runCli(restoreCommand, [backupFile, '--data-dir', dataDir]);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(reported(restored.stdout)).toEqual(backedUp);
    expect(readdirSync(dataDir)).toEqual(['ledger.sqlite']);
    const verified = await runCli(verifyCommand, [
      '--data-dir',
      dataDir,
      '--digest',
      backedUp.digest,
      '--sequence',
      String(backedUp.sequence),
    ]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('positions dense');
  });

  it('refuses a data folder that is not empty, and leaves it as it was', async () => {
    const dataDir = join(folder, 'occupied');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'api-keys.json'), '[]');
    const refused = await runCli(restoreCommand, [backupFile, '--data-dir', dataDir]);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: ${dataDir} is not empty: restore only into an empty data folder\n`,
    });
    expect(readdirSync(dataDir)).toEqual(['api-keys.json']);
  });

  it('refuses a backup that does not verify, restoring nothing', async () => {
    const damaged = join(folder, 'damaged.backup');
    const copy = openSqliteDatabase(backupFile);
    try {
      copy.prepare('VACUUM INTO ?').run(damaged);
    } finally {
      copy.close();
    }
    const db = openSqliteDatabase(damaged);
    db.prepare(
      `UPDATE events SET data = json_set(data, '$.year', 1899) WHERE position = (SELECT max(position) FROM events)`,
    ).run();
    db.close();
    const dataDir = join(folder, 'not-restored');
    const refused = await runCli(restoreCommand, [damaged, '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error: the backup .* does not verify \(1 failures\), first: stored hash/,
    );
    expect(existsSync(join(dataDir, 'ledger.sqlite'))).toBe(false);
  });
});
