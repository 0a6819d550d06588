import type { CliCommand } from '../cli-arguments';
import { backupCommand } from './backup.command';
import { exportCommand } from './export.command';
import { importCommand } from './import.command';
import { migrateCommand } from './migrate.command';
import { rebuildCommand } from './rebuild.command';
import { seedCommand } from './seed.command';
import { reportCommand } from './report.command';
import { restoreCommand } from './restore.command';
import { verifyCommand } from './verify.command';

/** Every subcommand of `npm run ledger -- <name>`. */
export const CLI_COMMANDS: Record<string, CliCommand> = {
  rebuild: rebuildCommand,
  seed: seedCommand,
  export: exportCommand,
  verify: verifyCommand,
  report: reportCommand,
  import: importCommand,
  migrate: migrateCommand,
  backup: backupCommand,
  restore: restoreCommand,
};
