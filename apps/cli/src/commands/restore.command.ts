import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CliCommand, CliError } from '../cli-arguments';
import { checkLedgerFile, removeLedgerFile } from '../ledger-file';
import { MoveRefusedError, progressOptions, reportRefusalOrRethrow } from '../ledger-move';
import { dataDirOf } from '../store-location';

export const restoreCommand: CliCommand = {
  summary: 'put a backup into an empty data folder, verified before it counts',
  usage: `usage: npm run ledger -- restore FILE --data-dir DIR [--progress | --no-progress]

Checks the backup (SQLite's page check, every hash chain), copies it into the data folder as ledger.sqlite
and checks the copy likewise: its digest must be the backup's. The folder must be empty or not exist yet;
an existing ledger is never overwritten. Read models, checkpoints and Idempotency-Key records come with
the backup; put the API key file (api-keys.json) back yourself, or point LEDGER_API_KEYS_FILE at it.

  FILE               a file written by \`backup\`
  --data-dir DIR     the data folder to restore into (default LEDGER_DATA_DIR, else ./data)

Exit code 0 with the sequence and digest restored; 1 when the folder is not empty or a check fails.`,
  async run(args) {
    const [file, ...extra] = args.positional;
    if (file === undefined || extra.length > 0) throw new CliError('name one backup file (see --help)');
    const backup = resolve(file);
    if (!existsSync(backup)) throw new CliError(`no backup file ${backup}`);
    const dataDir = dataDirOf(args);
    const ledger = join(dataDir, 'ledger.sqlite');
    const partial = `${ledger}.partial`;
    try {
      if (existsSync(dataDir) && readdirSync(dataDir).length > 0)
        throw new MoveRefusedError(`${dataDir} is not empty: restore only into an empty data folder`);
      const original = await checkLedgerFile(backup, `the backup ${backup}`, progressOptions(args));
      mkdirSync(dataDir, { recursive: true });
      copyFileSync(backup, partial);
      const restored = await checkLedgerFile(partial, `the restored copy ${partial}`, progressOptions(args));
      if (restored.sequence !== original.sequence || restored.digest !== original.digest) {
        throw new MoveRefusedError(
          `the restored copy gives digest ${restored.digest} at sequence ${restored.sequence}, the backup ` +
            `${original.digest} at sequence ${original.sequence}: nothing was restored`,
        );
      }
      renameSync(partial, ledger);
      process.stdout.write(
        `restored ${restored.sequence} events into ${ledger}; verified: every chain holds, digest ` +
          `${restored.digest} at sequence ${restored.sequence}, the backup's\n`,
      );
      return 0;
    } catch (error) {
      removeLedgerFile(partial);
      return reportRefusalOrRethrow(error);
    }
  },
};
