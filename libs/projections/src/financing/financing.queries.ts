import { formatMinorUnits } from '@ledger/domain';
import { type Bitemporal, bitemporalCondition } from '../bitemporal';
import { type SqlReader, type SqlValue, toBigInt } from '../sql/sql.port';

export const FINANCING_GROUPINGS = ['stage', 'instrument', 'financierCountry'] as const;
export type FinancingGrouping = (typeof FINANCING_GROUPINGS)[number];

export interface FinancingGroup {
  /** the stage on the asOf day, the instrument, or the financier's country */
  group: string;
  /** one total per original currency: amounts are never converted */
  totals: { currency: string; amount: string; financings: number }[];
}

export interface FinancingFilter {
  /** the project's country */
  country?: string;
  /** projects that produce this material */
  material?: string;
}

/**
 * GET /reports/financing: financings inside the cut summed per group and per original currency, with their
 * number (DOMAIN.md "Financing"). Stage means the project's stage on the asOf day, as known at the cut.
 */
export async function financingReport(
  db: SqlReader,
  groupBy: FinancingGrouping,
  filter: FinancingFilter,
  cut: Bitemporal,
): Promise<{ groupBy: FinancingGrouping; asOf: string; groups: FinancingGroup[] }> {
  const financed = bitemporalCondition(cut, 'f');
  const registered = bitemporalCondition(cut, 'p');
  const stageChange = bitemporalCondition(cut, 'c');
  const clauses = [financed.sql, registered.sql];
  const params: SqlValue[] = [...stageChange.params, ...financed.params, ...registered.params];
  if (filter.country !== undefined) {
    clauses.push('p.country = ?');
    params.push(filter.country);
  }
  if (filter.material !== undefined) {
    clauses.push(
      'EXISTS (SELECT 1 FROM project_materials m WHERE m.project_id = p.project_id AND m.material = ?)',
    );
    params.push(filter.material);
  }
  const rows = await db.all<{
    stage_on: string;
    instrument: string;
    financier_country: string;
    currency: string;
    minor_units: unknown;
  }>(
    `SELECT COALESCE((SELECT c.to_stage FROM project_stage_changes c
                       WHERE c.project_id = p.project_id AND ${stageChange.sql}
                       ORDER BY c.position DESC LIMIT 1), p.stage) AS stage_on,
            f.instrument, f.financier_country, f.currency, f.minor_units
       FROM project_financings f JOIN projects p ON p.project_id = f.project_id
      WHERE ${clauses.join(' AND ')}`,
    params,
  );
  const groups = new Map<string, Map<string, { minorUnits: bigint; financings: number }>>();
  for (const row of rows) {
    const group =
      groupBy === 'stage' ? row.stage_on : groupBy === 'instrument' ? row.instrument : row.financier_country;
    const currencies = groups.get(group) ?? new Map<string, { minorUnits: bigint; financings: number }>();
    groups.set(group, currencies);
    const total = currencies.get(row.currency) ?? { minorUnits: 0n, financings: 0 };
    total.minorUnits += toBigInt(row.minor_units);
    total.financings += 1;
    currencies.set(row.currency, total);
  }
  return {
    groupBy,
    asOf: cut.asOf,
    groups: [...groups.keys()].sort().map((group) => ({
      group,
      totals: [...groups.get(group)!.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([currency, total]) => ({
          currency,
          amount: formatMinorUnits(total.minorUnits, currency),
          financings: total.financings,
        })),
    })),
  };
}
