import { ConfigError } from '@ledger/event-store';
import { CLI_COMMANDS } from './commands';
import { CliError, parseArguments } from './cli-arguments';

const USAGE = `Minerals Ledger command line

usage: npm run ledger -- <command> [options]     (or: minerals-ledger <command> [options])

commands:
${Object.entries(CLI_COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join('\n')}

Every command reads LEDGER_DATA_DIR (default ./data) unless told otherwise; \`<command> --help\` for its options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = CLI_COMMANDS[name];
  if (!command) throw new CliError(`unknown command "${name}"\n\n${USAGE}`);
  const args = parseArguments(rest);
  if (args.flags.has('help')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof CliError || error instanceof ConfigError;
    process.stderr.write(
      `error: ${known ? (error as Error).message : error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = known ? 2 : 1;
  },
);
