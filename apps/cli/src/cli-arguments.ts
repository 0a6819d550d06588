/** A mistake in how the command was called; printed without a stack trace, exit code 2. */
export class CliError extends Error {
  override name = 'CliError';
}

export interface CliArguments {
  /** `--name value` and `--name=value` */
  options: Map<string, string>;
  /** `--name` alone */
  flags: Set<string>;
  positional: string[];
}

/** Flags that never take a value, so `--progress file.ndjson` keeps the file positional. */
const BOOLEAN_FLAGS = new Set(['help', 'progress', 'no-progress', 'json', 'no-rebuild']);

export function parseArguments(argv: string[]): CliArguments {
  const options = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (!argument.startsWith('--')) {
      positional.push(argument);
      continue;
    }
    const [name, inline] = argument.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inline !== undefined) options.set(name, inline);
    else if (BOOLEAN_FLAGS.has(name) || argv[index + 1] === undefined || argv[index + 1]!.startsWith('--'))
      flags.add(name);
    else options.set(name, argv[++index]!);
  }
  return { options, flags, positional };
}

export interface CliCommand {
  summary: string;
  usage: string;
  /** resolves to the process exit code */
  run(args: CliArguments): Promise<number>;
}
