import { spawn } from 'node:child_process';

/*
 * Loads .ts files by transpiling them (no type check) with the repo's TypeScript, so a test can run a
 * TypeScript entry point as a second Node process without building dist/ first.
 */
const TRANSPILE_HOOK = `
const ts = require('typescript');
const { readFileSync } = require('node:fs');
require.extensions['.ts'] = (module, file) =>
  module._compile(
    ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText,
    file,
  );
const [entry, ...args] = process.argv.slice(1);
process.argv = [process.argv[0], entry, ...args];
require(entry);
`;

export interface ProcessOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `entry` (an absolute path to a .ts file) in a new Node process; resolves when it exits. */
export function runTypeScriptProcess(entry: string, args: string[]): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', TRANSPILE_HOOK, entry, ...args], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
