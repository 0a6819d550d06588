import { type CliCommand, parseArguments } from '../../apps/cli/src/cli-arguments';

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a CLI command in this process, as `npm run ledger -- <command> ...argv` would, capturing its output. */
export async function runCli(command: CliCommand, argv: string[]): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  try {
    const code = await command.run(parseArguments(argv));
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
