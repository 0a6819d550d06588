import type { CliCommand } from '../cli-arguments';
import { rebuildCommand } from './rebuild.command';

/** Every subcommand of `npm run ledger -- <name>`. */
export const CLI_COMMANDS: Record<string, CliCommand> = {
  rebuild: rebuildCommand,
};
