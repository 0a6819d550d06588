import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');

let built = false;

/** Compiles the apps once per test file (incremental), for tests that run them as real processes. */
export function ensureBuilt(): void {
  if (built) return;
  execFileSync(
    process.execPath,
    [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: REPO,
      stdio: 'inherit',
    },
  );
  built = true;
}

/** Arguments for `node` to run a compiled entry point with the `@ledger/*` aliases resolved. */
export const compiledEntry = (entry: string): string[] => [
  '-r',
  join(REPO, 'scripts', 'register-paths.js'),
  join(REPO, 'dist', entry),
];
