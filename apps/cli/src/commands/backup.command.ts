import { SqliteEventStore, storeDigest } from '@ledger/event-store';
import { existsSync, renameSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CliCommand, CliError } from '../cli-arguments';
import { checkLedgerFile, removeLedgerFile } from '../ledger-file';
import { MoveRefusedError, progressOptions, reportRefusalOrRethrow } from '../ledger-move';
import { openLedgerFile, storeConfigOf } from '../log-source';

/**
 * Pages copied per step of SQLite's online backup: all of them. A copy made in several steps starts over
 * whenever another connection writes between two steps, which a busy ledger does all the time; one step
 * reads one snapshot, and in WAL mode the ledger's writers go on meanwhile.
 */
const EVERY_PAGE = 0x7fffffff;

export const backupCommand: CliCommand = {
  summary: 'copy the running embedded ledger to a file (SQLite online backup), verified before it counts',
  usage: `usage: npm run ledger -- backup --out FILE [--data-dir DIR] [--progress | --no-progress]

Copies the embedded ledger file (DIR/ledger.sqlite: events, read models, checkpoints, Idempotency-Key
records) with SQLite's online backup, while the ledger runs: one consistent snapshot, no writer stopped.
The copy is then checked before it is kept: SQLite's page check, every hash chain, and its log digest,
which must be the running ledger's at the same sequence. The API key file is not part of it.

  --out FILE         the backup file; it must not exist (a backup never overwrites)
  --data-dir DIR     the data folder (default LEDGER_DATA_DIR, else ./data)

Exit code 0 with the sequence and digest of the copy; 1 when the copy does not verify (nothing is kept).`,
  async run(args) {
    const out = args.options.get('out');
    if (out === undefined) throw new CliError('name the backup file: --out FILE');
    if (args.positional.length > 0) throw new CliError(`unexpected ${args.positional.join(' ')}`);
    const config = storeConfigOf(args);
    if (config.eventStore.kind !== 'sqlite') {
      throw new CliError(
        'backup copies the embedded ledger file, but the event log is in another store: use that ' +
          "server's own backup, or `export` the log",
      );
    }
    const target = resolve(out);
    if (existsSync(target)) throw new CliError(`${target} exists already: a backup never overwrites`);
    const partial = `${target}.partial`;
    removeLedgerFile(partial);
    const live = openLedgerFile(config);
    try {
      const started = process.hrtime.bigint();
      await live.backup(partial, { progress: () => EVERY_PAGE });
      const copied = Number(process.hrtime.bigint() - started) / 1e9;
      const copy = await checkLedgerFile(partial, `the backup ${partial}`, progressOptions(args));
      // The copy is one moment of the running ledger: the live log has the same digest at that sequence.
      const atCopy = await storeDigest(new SqliteEventStore(live), { sequence: copy.sequence });
      if (atCopy.sequence !== copy.sequence || atCopy.digest !== copy.digest) {
        throw new MoveRefusedError(
          `the backup's digest ${copy.digest} at sequence ${copy.sequence} is not the running ledger's ` +
            `(${atCopy.digest} at sequence ${atCopy.sequence}): the copy is not kept`,
        );
      }
      renameSync(partial, target);
      process.stdout.write(
        `backed up ${copy.sequence} events to ${target} in ${copied.toFixed(1)} s; verified: every chain ` +
          `holds, digest ${copy.digest} at sequence ${copy.sequence}, the running ledger's\n`,
      );
      return 0;
    } catch (error) {
      removeLedgerFile(partial);
      return reportRefusalOrRethrow(error);
    } finally {
      live.close();
    }
  },
};
