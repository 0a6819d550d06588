import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './bench-result';
import { appendBenchmark } from './benchmarks/append.bench';
import { httpBenchmark } from './benchmarks/http.bench';
import { createLedgerFixture } from './benchmarks/ledger-fixture';
import { rebuildBenchmark } from './benchmarks/rebuild.bench';
import { reportQueryBenchmark } from './benchmarks/report-query.bench';
import { verifyBenchmark } from './benchmarks/verify.bench';

/**
 * `npm run bench [-- --events N --only name,name]`: every benchmark against a raw baseline measured in the
 * same run on the same machine; prints a table and writes bench/results.json.
 */
async function main() {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const index = args.indexOf(`--${name}`);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const events = Number(option('events') ?? 1_000_000);
  const only = option('only')?.split(',');
  const wanted = (name: string) => !only || only.includes(name);
  const folder = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const results: BenchResult[] = [];
  const report = (result: BenchResult) => {
    results.push(result);
    process.stderr.write(`${result.name}: ratio ${result.ratio}\n`);
  };

  try {
    if (wanted('append')) report(await appendBenchmark(folder, 5000));
    if (wanted('http-commands')) report(await httpBenchmark(folder, 10));
    if (wanted('rebuild') || wanted('report-query') || wanted('verify')) {
      const fixture = await createLedgerFixture(folder, events);
      process.stderr.write(
        `ledger of ${fixture.events.toLocaleString('en')} events generated in ${fixture.generationSeconds.toFixed(1)} s\n`,
      );
      if (wanted('rebuild') || wanted('report-query')) report(await rebuildBenchmark(fixture));
      if (wanted('report-query')) report(await reportQueryBenchmark(fixture, 300));
      if (wanted('verify')) report(await verifyBenchmark(fixture));
      fixture.db.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }

  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const header = ['benchmark', 'unit', 'ledger', 'baseline', 'ratio', 'notes'];
  const rows = results.map((r) => [
    r.name,
    r.unit,
    String(r.ledger),
    String(r.baseline),
    String(r.ratio),
    r.notes,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (i === 5 ? 0 : row[i]!.length))),
  );
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 5 ? cell : cell.padEnd(widths[i]!))).join(' | ');
  process.stdout.write(
    `\nMachine: ${machine}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}-|------\n`,
  );
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  writeFileSync(
    join(__dirname, '..', '..', 'bench', 'results.json'),
    `${JSON.stringify({ machine, date: new Date().toISOString(), results }, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
