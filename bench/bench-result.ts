/**
 * One row of bench/results.json: the ledger against the machine's own raw baseline, measured in the same
 * run. A row that could not run here (a peer that would not install, a port method that does not exist yet)
 * keeps its place with null numbers and says why in `notes`.
 */
export interface BenchResult {
  name: string;
  unit: string;
  ledger: number | null;
  baseline: number | null;
  /** higher is better: ledger / baseline for rates, baseline / ledger for latencies */
  ratio: number | null;
  notes: string;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/** A rate row: ledger / baseline. */
export const rateRow = (
  name: string,
  unit: string,
  ledger: number,
  baseline: number,
  notes: string,
): BenchResult => ({
  name,
  unit,
  ledger: round(ledger, 0),
  baseline: round(baseline, 0),
  ratio: baseline > 0 ? round(ledger / baseline) : null,
  notes,
});

/** A latency row (milliseconds): baseline / ledger, so that higher is better here too. */
export const latencyRow = (
  name: string,
  unit: string,
  ledgerMs: number,
  baselineMs: number,
  notes: string,
): BenchResult => ({
  name,
  unit,
  ledger: round(ledgerMs, 3),
  baseline: round(baselineMs, 3),
  ratio: ledgerMs > 0 ? round(baselineMs / ledgerMs, 3) : null,
  notes,
});

export const skippedRow = (name: string, unit: string, why: string): BenchResult => ({
  name,
  unit,
  ledger: null,
  baseline: null,
  ratio: null,
  notes: `skipped: ${why}`,
});

export function percentile(sortedAscending: readonly number[], fraction: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const index = Math.min(sortedAscending.length - 1, Math.ceil(fraction * sortedAscending.length) - 1);
  return sortedAscending[Math.max(0, index)]!;
}

export const ascending = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

export const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;

export const milliseconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

export const mebibytes = (bytes: number): number => Math.round(bytes / 2 ** 20);

/** A message for a note: the first line of an error, without its stack. */
export const reason = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
