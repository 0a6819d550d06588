import { generateLedgerFolder } from './benchmarks/ledger-fixture';

/**
 * Generates a ledger into a data folder in a process of its own (the generator holds every event in
 * memory; a large ledger gets a larger heap without the bench keeping it):
 * `node generate-child.js <data folder> <events>`. Prints one JSON line.
 */
async function main() {
  const [dataDir, target] = process.argv.slice(2);
  const fixture = await generateLedgerFolder(dataDir!, Number(target));
  process.stdout.write(`${JSON.stringify(fixture)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
