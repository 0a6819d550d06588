import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { BenchContext, type BenchOptions } from './bench-context';
import { type BenchResult, reason, skippedRow } from './bench-result';
import { appendBenchmark, appendPostgresBenchmark } from './benchmarks/append.bench';
import {
  hotStreamBenchmark,
  httpCommandsBenchmark,
  httpCommandsPostgresBenchmark,
} from './benchmarks/http.bench';
import { importBenchmarks } from './benchmarks/import.bench';
import { PEER_ROWS, peersBenchmarks } from './benchmarks/peers.bench';
import { rebuildBenchmark, rebuildPostgresBenchmark } from './benchmarks/rebuild.bench';
import { reportQueryBenchmark, reportQueryPostgresBenchmark } from './benchmarks/report-query.bench';
import { type ScaleTable, scaleBenchmark } from './benchmarks/scale.bench';
import { verifyBenchmark } from './benchmarks/verify.bench';
import { BENCH_SOURCE } from './paths';

/** A benchmark: the rows it writes, and the group name `--only` also accepts for it. */
interface Benchmark {
  rows: readonly string[];
  group?: string;
  unit: string;
  /** the rows need the run's PostgreSQL: skipped, saying why, when none can be had */
  postgres?: boolean;
  run(context: BenchContext): Promise<BenchResult | BenchResult[]>;
}

const BENCHMARKS: Benchmark[] = [
  { rows: ['append'], unit: 'events/s', run: appendBenchmark },
  { rows: ['append-postgres'], unit: 'events/s', postgres: true, run: appendPostgresBenchmark },
  { rows: ['http-commands'], unit: 'commands/s', run: httpCommandsBenchmark },
  {
    rows: ['http-commands-postgres'],
    unit: 'commands/s',
    postgres: true,
    run: httpCommandsPostgresBenchmark,
  },
  { rows: ['hot-stream'], unit: 'commands/s', run: hotStreamBenchmark },
  { rows: ['rebuild'], unit: 'events/s', run: rebuildBenchmark },
  { rows: ['rebuild-postgres'], unit: 'events/s', postgres: true, run: rebuildPostgresBenchmark },
  { rows: ['verify'], unit: 'events/s', run: verifyBenchmark },
  { rows: ['report-query'], unit: 'ms (p50)', run: reportQueryBenchmark },
  {
    rows: ['report-query-postgres'],
    unit: 'ms (p50)',
    postgres: true,
    run: reportQueryPostgresBenchmark,
  },
  { rows: ['import'], unit: 'events/s', run: (context) => importBenchmarks(context, ['import']) },
  {
    rows: ['import-postgres'],
    unit: 'events/s',
    postgres: true,
    run: (context) => importBenchmarks(context, ['import-postgres']),
  },
  { rows: PEER_ROWS, group: 'peers', unit: 'commands/s', run: peersBenchmarks },
];

const USAGE = `npm run bench [-- --quick] [--events N] [--only name,name] [--scale-10m] [--scale-sizes N,N]
  --quick        small sizes and short loads: a smoke run that shows every row works (numbers not to publish)
  --events N     events of the generated ledger for rebuild, verify, report-query (default 1,000,000; quick 30,000; the generator's smallest is ~26,000)
  --only a,b     only these rows; "peers" and "scale" name their groups
  --scale-10m    add a 10,000,000-event ledger to the scale table (long: generation and first start)
  --scale-sizes  the scale table's ledger sizes (default 100000,1000000; quick 30000,60000)
rows: ${[...BENCHMARKS.flatMap((b) => [...b.rows, ...(b.group ? [b.group] : [])]), 'scale'].join(', ')}`;

function parseOptions(args: string[]): BenchOptions {
  const value = (name: string) => {
    const index = args.indexOf(`--${name}`);
    if (index < 0) return undefined;
    const given = args[index + 1];
    if (given === undefined || given.startsWith('--')) throw new Error(`--${name} needs a value\n${USAGE}`);
    return given;
  };
  const count = (name: string, text: string) => {
    const parsed = Number(text.replace(/_/g, ''));
    if (!Number.isSafeInteger(parsed) || parsed <= 0) throw new Error(`--${name}: not a count: ${text}`);
    return parsed;
  };
  const known = new Set(['--quick', '--events', '--only', '--scale-10m', '--scale-sizes', '--help']);
  for (const [index, arg] of args.entries()) {
    if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg}\n${USAGE}`);
    if (!arg.startsWith('--') && !args[index - 1]?.startsWith('--'))
      throw new Error(`unexpected ${arg}\n${USAGE}`);
  }
  const quick = args.includes('--quick');
  const events = value('events');
  const scaleSizes =
    value('scale-sizes')
      ?.split(',')
      .map((size) => count('scale-sizes', size)) ?? (quick ? [30_000, 60_000] : [100_000, 1_000_000]);
  if (args.includes('--scale-10m')) scaleSizes.push(10_000_000);
  const only = value('only')?.split(',');
  const names = new Set([...BENCHMARKS.flatMap((b) => [...b.rows, ...(b.group ? [b.group] : [])]), 'scale']);
  for (const name of only ?? []) if (!names.has(name)) throw new Error(`no row named ${name}\n${USAGE}`);
  return {
    quick,
    events: events === undefined ? (quick ? 30_000 : 1_000_000) : count('events', events),
    commands: quick ? 300 : 5000,
    httpSeconds: quick ? 2 : 10,
    reportSamples: quick ? 50 : 300,
    peerCommands: quick ? 200 : 2000,
    scaleSizes,
    only,
  };
}

const machine = () =>
  `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

/** A plain table: every column padded but the last. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join(' | ');
  const rule = widths
    .map((width, i) => '-'.repeat(i === widths.length - 1 ? Math.min(width, 6) : width))
    .join('-|-');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const shown = (value: number | null) => (value === null ? '—' : String(value));

const sizeLabel = (size: number) =>
  size >= 1_000_000 && size % 1_000_000 === 0
    ? `${size / 1_000_000}M`
    : size >= 1000 && size % 1000 === 0
      ? `${size / 1000}k`
      : String(size);

function printScale(scale: ScaleTable, requested: number[]): string {
  const labels = requested.map(sizeLabel);
  const pairs = labels.slice(1).map((label, i) => [i, i + 1, `grows ${labels[i]}→${label}`] as const);
  const rows = scale.rows.map((row) => [
    row.name,
    row.unit,
    ...row.values.map(shown),
    ...pairs.map(([from, to]) => {
      const [a, b] = [row.values[from], row.values[to]];
      return a && b ? `${(b / a).toFixed(2)}×` : '—';
    }),
    row.aim,
  ]);
  return `${table(['scale', 'unit', ...labels, ...pairs.map(([, , name]) => name), 'aim'], rows)}\n${scale.notes.join('\n')}`;
}

/**
 * `npm run bench [-- --quick --events N --only a,b]`: every benchmark against a raw baseline measured in the
 * same run on the same machine; prints the table (and the scale table) and writes bench/results.json.
 */
async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const wanted = (names: readonly string[]) =>
    !options.only || names.some((name) => options.only!.includes(name));
  const context = new BenchContext(options, mkdtempSync(join(tmpdir(), 'ledger-bench-')));
  const results: BenchResult[] = [];
  let scale: ScaleTable | undefined;
  let failed = false;
  const started = Date.now();
  try {
    for (const benchmark of BENCHMARKS) {
      if (!wanted([...benchmark.rows, ...(benchmark.group ? [benchmark.group] : [])])) continue;
      const rows = benchmark.rows.filter((row) =>
        wanted([row, ...(benchmark.group ? [benchmark.group] : [])]),
      );
      context.log(`${rows.join(', ')}: running`);
      let produced: BenchResult[];
      try {
        if (benchmark.postgres) {
          const unavailable = await context.postgres().then(
            () => undefined,
            (error: unknown) => `no PostgreSQL could be had: ${reason(error)}`,
          );
          if (unavailable) {
            produced = rows.map((row) => skippedRow(row, benchmark.unit, unavailable));
            results.push(...produced);
            continue;
          }
        }
        const result = await benchmark.run(context);
        produced = (Array.isArray(result) ? result : [result]).filter((row) => rows.includes(row.name));
      } catch (error) {
        failed = true;
        context.log(`${rows.join(', ')} failed: ${error instanceof Error ? error.stack : String(error)}`);
        produced = rows.map((row) => ({
          ...skippedRow(row, benchmark.unit, ''),
          notes: `failed: ${reason(error)}`,
        }));
      }
      for (const row of produced) context.log(`${row.name}: ratio ${shown(row.ratio)}`);
      results.push(...produced);
    }
    if (wanted(['scale'])) {
      context.log('scale: running');
      try {
        scale = await scaleBenchmark(context);
      } catch (error) {
        failed = true;
        context.log(`scale failed: ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
  } finally {
    await context.close().catch((error: unknown) => context.log(`stopping PostgreSQL: ${reason(error)}`));
    rmSync(context.folder, { recursive: true, force: true });
  }

  const runNote = options.quick
    ? ' — QUICK RUN (small sizes, short loads: a smoke test, not numbers to publish)'
    : '';
  process.stdout.write(
    `\nMachine: ${machine()}; ${new Date().toISOString()}; ${((Date.now() - started) / 1000).toFixed(0)} s${runNote}\n`,
  );
  if (results.length > 0) {
    process.stdout.write(
      `${table(
        ['benchmark', 'unit', 'ledger', 'baseline', 'ratio', 'notes'],
        results.map((r) => [r.name, r.unit, shown(r.ledger), shown(r.baseline), shown(r.ratio), r.notes]),
      )}\n`,
    );
  }
  if (scale) process.stdout.write(`\n${printScale(scale, options.scaleSizes)}\n`);
  writeFileSync(
    join(BENCH_SOURCE, 'results.json'),
    `${JSON.stringify(
      {
        machine: machine(),
        date: new Date().toISOString(),
        quick: options.quick,
        events: options.events,
        results,
        ...(scale ? { scale } : {}),
      },
      null,
      2,
    )}\n`,
  );
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
