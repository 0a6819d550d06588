/** One row of bench/results.json: the ledger against the machine's own raw baseline, measured in the same run. */
export interface BenchResult {
  name: string;
  unit: string;
  ledger: number;
  baseline: number;
  /** higher is better: ledger / baseline for rates, baseline / ledger for latencies */
  ratio: number;
  notes: string;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export function percentile(sortedAscending: number[], fraction: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const index = Math.min(sortedAscending.length - 1, Math.ceil(fraction * sortedAscending.length) - 1);
  return sortedAscending[Math.max(0, index)]!;
}

export const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;
