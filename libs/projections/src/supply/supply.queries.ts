import { gramsToKilograms } from '@ledger/domain';
import { type Bitemporal, knownAtCondition } from '../bitemporal';
import { decodeCursor, encodeCursor, InvalidCursorError, type Page, type PageRequest } from '../cursor';
import { type SqlReader, type SqlValue, toBigInt } from '../sql/sql.port';

/** The consumption of (country, material) for `year`, else of the latest earlier year with one. */
export async function latestConsumption(
  db: SqlReader,
  country: string,
  material: string,
  year: number,
  cut: Bitemporal,
): Promise<{ year: number; grams: bigint } | undefined> {
  const known = knownAtCondition(cut);
  const row = await db.get<{ year: unknown; grams: unknown }>(
    `SELECT year, grams FROM supply_statistics
      WHERE country = ? AND material = ? AND kind = 'consumption' AND year <= ? AND ${known.sql}
      ORDER BY year DESC, position DESC LIMIT 1`,
    [country, material, BigInt(year), ...known.params],
  );
  return row && { year: Number(toBigInt(row.year)), grams: toBigInt(row.grams) };
}

/**
 * The trade flows into (country, material) of y*, the latest year ≤ `year` with any flow; per exporter the
 * latest revision known at the cut, largest first.
 */
export async function latestFlows(
  db: SqlReader,
  country: string,
  material: string,
  year: number,
  cut: Bitemporal,
): Promise<{ year: number | null; flows: { exporter: string; grams: bigint }[] }> {
  const known = knownAtCondition(cut);
  const latest = await db.get<{ year: unknown }>(
    `SELECT year FROM supply_statistics
      WHERE country = ? AND material = ? AND kind = 'trade' AND year <= ? AND ${known.sql}
      ORDER BY year DESC LIMIT 1`,
    [country, material, BigInt(year), ...known.params],
  );
  if (!latest) return { year: null, flows: [] };
  const flowYear = toBigInt(latest.year);
  const revisions = await db.all<{ exporter: string; grams: unknown }>(
    `SELECT exporter, grams FROM supply_statistics
      WHERE country = ? AND material = ? AND kind = 'trade' AND year = ? AND ${known.sql}
      ORDER BY exporter, position DESC`,
    [country, material, flowYear, ...known.params],
  );
  const flows: { exporter: string; grams: bigint }[] = [];
  for (const revision of revisions) {
    // the first row per exporter is its latest revision
    if (flows[flows.length - 1]?.exporter !== revision.exporter) {
      flows.push({ exporter: revision.exporter, grams: toBigInt(revision.grams) });
    }
  }
  flows.sort((a, b) =>
    a.grams === b.grams ? (a.exporter < b.exporter ? -1 : 1) : a.grams > b.grams ? -1 : 1,
  );
  return { year: Number(flowYear), flows };
}

/** A statistic in force at the cut, as the supply lists answer it. */
export interface StatisticInForce {
  country: string;
  exporter: string;
  material: string;
  year: number;
  /** kilograms a year */
  annualQuantity: string;
  effectiveAt: string;
  recordedAt: string;
  position: string;
}

export interface StatisticFilter {
  country?: string;
  exporter?: string;
  material?: string;
  year?: number;
}

interface StatisticRecord {
  country: string;
  exporter: string;
  material: string;
  year: unknown;
  grams: unknown;
  position: unknown;
  effective_at: string;
  recorded_at: string;
}

/**
 * The statistics in force (one per country, exporter, material and year: the latest revision known at the
 * cut), in key order. Without a knownAt they are read from the table kept in force; with one, the latest
 * revision per key known then is chosen with a window over the revisions.
 */
export async function listStatistics(
  db: SqlReader,
  kind: 'trade' | 'consumption',
  filter: StatisticFilter,
  cut: Bitemporal,
  page: PageRequest,
): Promise<Page<StatisticInForce>> {
  const clauses = ['kind = ?'];
  const params: SqlValue[] = [kind];
  for (const [column, value] of [
    ['country', filter.country],
    ['exporter', filter.exporter],
    ['material', filter.material],
  ] as const) {
    if (value !== undefined) {
      clauses.push(`${column} = ?`);
      params.push(value);
    }
  }
  if (filter.year !== undefined) {
    clauses.push('year = ?');
    params.push(BigInt(filter.year));
  }
  const keyOrder = 'country, material, year, exporter';
  const after: SqlValue[] = [];
  let afterClause = '';
  if (page.cursor !== undefined) {
    const [country, material, year, exporter] = decodeCursor(page.cursor, 4);
    // the year goes to the database as an integer: a key part that is none is not a cursor we made
    if (!/^[0-9]{1,6}$/.test(year!)) throw new InvalidCursorError('the cursor is not one this ledger made');
    afterClause = `AND (country, material, year, exporter) > (?, ?, ?, ?)`;
    after.push(country!, material!, BigInt(year!), exporter!);
  }
  const known = knownAtCondition(cut);
  const source =
    cut.knownAt === undefined
      ? `SELECT * FROM supply_in_force WHERE ${clauses.join(' AND ')}`
      : `SELECT * FROM (
           SELECT s.*, ROW_NUMBER() OVER (
                    PARTITION BY country, exporter, material, year ORDER BY position DESC) AS revision
             FROM supply_statistics s WHERE ${clauses.join(' AND ')} AND ${known.sql}) latest
          WHERE revision = 1`;
  const rows = await db.all<StatisticRecord>(
    `SELECT country, exporter, material, year, grams, position, effective_at, recorded_at
       FROM (${source}) statistics WHERE 1 = 1 ${afterClause} ORDER BY ${keyOrder} LIMIT ?`,
    [...params, ...(cut.knownAt === undefined ? [] : known.params), ...after, page.limit + 1],
  );
  const items = rows.slice(0, page.limit).map((row) => ({
    country: row.country,
    exporter: row.exporter,
    material: row.material,
    year: Number(toBigInt(row.year)),
    annualQuantity: gramsToKilograms(toBigInt(row.grams)),
    effectiveAt: row.effective_at,
    recordedAt: row.recorded_at,
    position: toBigInt(row.position).toString(),
  }));
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > page.limit && last
        ? encodeCursor([last.country, last.material, String(last.year), last.exporter])
        : null,
  };
}

/** Materials a country has statistics for, known at the cut. */
export async function supplyMaterialsOf(db: SqlReader, country: string, cut: Bitemporal): Promise<string[]> {
  const known =
    cut.knownAt === undefined
      ? { sql: '1 = 1', params: [] as SqlValue[] }
      : 'position' in cut.knownAt
        ? { sql: 'first_position <= ?', params: [cut.knownAt.position] }
        : { sql: 'first_recorded_at <= ?', params: [cut.knownAt.recordedAt] };
  const rows = await db.all<{ material: string }>(
    `SELECT material FROM supply_materials WHERE country = ? AND ${known.sql}`,
    [country, ...known.params],
  );
  return rows.map((row) => row.material);
}
