import { formatRatio, gramsToKilograms, parseScaledDecimal } from '@ledger/domain';
import type { SqliteDatabase } from '@ledger/event-store';
import { type Bitemporal, bitemporalWhere, knownAtWhere } from '../bitemporal';
import { queryActiveRestrictions } from '../restrictions/restrictions.queries';

/** Decimal places of the report's ratios; every ratio is computed exactly and rounded once, half to even. */
export const EXPOSURE_SCALES = { share: 6, hhi: 2, daysOfCover: 2, grams: 0 } as const;

export interface ExposureSource {
  country: string;
  quantity: string;
  share: string;
  restricted: boolean;
}

export interface Exposure {
  country: string;
  material: string;
  asOf: string;
  /** kilograms a year, of `consumptionYear` */
  consumption: string | null;
  consumptionYear: number | null;
  sourcesYear: number | null;
  sources: ExposureSource[];
  hhi: string | null;
  cr3: string | null;
  restrictedShare: string | null;
  stockpileHolding: string;
  daysOfCover: string | null;
  offtakeCoverage: string | null;
}

/** The percentage scale of stockpile shares (four places) times 100 %. */
const SHARE_DENOMINATOR = 1_000_000n;

function latestConsumption(
  db: SqliteDatabase,
  country: string,
  material: string,
  year: number,
  cut: Bitemporal,
) {
  const known = knownAtWhere(cut);
  return db
    .prepare(
      `SELECT year, grams FROM supply_statistics_v1
        WHERE kind = 'consumption' AND country = @country AND material = @material AND year <= @year AND ${known.sql}
        ORDER BY year DESC, position DESC LIMIT 1`,
    )
    .safeIntegers(true)
    .get({ ...known.params, country, material, year }) as { year: bigint; grams: bigint } | undefined;
}

/** Trade flows of y*, the latest year ≤ Y with any flow; per exporter the latest revision known at the cut. */
function latestFlows(db: SqliteDatabase, country: string, material: string, year: number, cut: Bitemporal) {
  const known = knownAtWhere(cut);
  const params = { ...known.params, country, material, year };
  const latestYear = db
    .prepare(
      `SELECT MAX(year) FROM supply_statistics_v1
        WHERE kind = 'trade' AND country = @country AND material = @material AND year <= @year AND ${known.sql}`,
    )
    .pluck()
    .get(params) as number | null;
  if (latestYear === null) return { year: null, flows: [] as { exporter: string; grams: bigint }[] };
  const rows = db
    .prepare(
      `SELECT exporter, grams FROM supply_statistics_v1 s
        WHERE kind = 'trade' AND country = @country AND material = @material AND year = @latestYear AND ${known.sql}
          AND position = (SELECT MAX(position) FROM supply_statistics_v1 t
                           WHERE t.kind = 'trade' AND t.country = s.country AND t.material = s.material
                             AND t.year = s.year AND t.exporter = s.exporter AND ${knownAtWhere(cut, 't').sql})
        ORDER BY grams DESC, exporter`,
    )
    .safeIntegers(true)
    .all({ ...params, latestYear }) as { exporter: string; grams: bigint }[];
  return { year: latestYear, flows: rows };
}

/** C's attributable holding of M: Σ over its stockpiles of sharePercent / 100 × onHand, as a fraction. */
function attributableHolding(db: SqliteDatabase, country: string, material: string, cut: Bitemporal) {
  const movements = bitemporalWhere(cut, 'm');
  const participation = bitemporalWhere(cut, 'p');
  const rows = db
    .prepare(
      `SELECT p.share_percent AS share,
              SUM(CASE WHEN m.kind IN ('acquired', 'transferredIn') THEN m.grams ELSE -m.grams END) AS on_hand
         FROM stockpile_participants_v1 p
         JOIN inventory_movements_v1 m ON m.stockpile_id = p.stockpile_id
        WHERE p.country = @country AND m.material = @material AND ${participation.sql}
          AND ${movements.sql}
        GROUP BY p.stockpile_id, p.share_percent`,
    )
    .safeIntegers(true)
    .all({ ...participation.params, ...movements.params, country, material }) as {
    share: string;
    on_hand: bigint;
  }[];
  // numerator over SHARE_DENOMINATOR grams
  return rows.reduce((sum, row) => sum + row.on_hand * parseScaledDecimal(row.share, 4, 'sharePercent'), 0n);
}

function activeOfftakeGrams(
  db: SqliteDatabase,
  country: string,
  material: string,
  day: string,
  restrictingCountries: ReadonlySet<string>,
  cut: Bitemporal,
): bigint {
  // signed by D (its effective time) and in its term on D, as in the project view
  const offtake = bitemporalWhere(cut, 'o');
  const project = knownAtWhere(cut, 'p');
  const termination = knownAtWhere(cut, 't');
  const rows = db
    .prepare(
      `SELECT o.grams AS grams, p.country AS project_country
         FROM offtakes_v1 o JOIN projects_v1 p ON p.project_id = o.project_id
        WHERE o.buyer_country = @country AND o.material = @material
          AND o.starts_on <= @day AND @day < o.ends_on AND ${offtake.sql} AND ${project.sql}
          AND NOT EXISTS (SELECT 1 FROM offtake_terminations_v1 t
                           WHERE t.project_id = o.project_id AND t.offtake_id = o.offtake_id
                             AND t.effective_on <= @day AND ${termination.sql})`,
    )
    .safeIntegers(true)
    .all({ ...offtake.params, ...project.params, ...termination.params, country, material, day }) as {
    grams: bigint;
    project_country: string;
  }[];
  return rows
    .filter((row) => !restrictingCountries.has(row.project_country))
    .reduce((sum, row) => sum + row.grams, 0n);
}

/** Exposure of importing country C to material M as of D, known at K, with DOMAIN.md's exact definitions. */
export function queryExposure(
  db: SqliteDatabase,
  country: string,
  material: string,
  cut: Bitemporal,
): Exposure {
  const day = cut.asOf.slice(0, 10);
  const year = Number(day.slice(0, 4));
  const restrictions = queryActiveRestrictions(db, { activeOn: day, importer: country, material }, cut);
  const restrictingCountries = new Set(restrictions.map((restriction) => restriction.imposedBy));

  const consumption = latestConsumption(db, country, material, year, cut);
  const { year: sourcesYear, flows } = latestFlows(db, country, material, year, cut);
  const total = flows.reduce((sum, flow) => sum + flow.grams, 0n);
  const sources = flows.map((flow) => ({
    country: flow.exporter,
    quantity: gramsToKilograms(flow.grams),
    share: formatRatio(flow.grams, total, EXPOSURE_SCALES.share),
    restricted: restrictingCountries.has(flow.exporter),
  }));
  const sumOfSquares = flows.reduce((sum, flow) => sum + flow.grams * flow.grams, 0n);
  const top3 = flows.slice(0, 3).reduce((sum, flow) => sum + flow.grams, 0n);
  const restricted = flows
    .filter((flow) => restrictingCountries.has(flow.exporter))
    .reduce((sum, flow) => sum + flow.grams, 0n);

  const holdingTimesShares = attributableHolding(db, country, material, cut);
  const consumptionGrams = consumption?.grams;
  const offtakeGrams = activeOfftakeGrams(db, country, material, day, restrictingCountries, cut);

  return {
    country,
    material,
    asOf: cut.asOf,
    consumption: consumptionGrams === undefined ? null : gramsToKilograms(consumptionGrams),
    consumptionYear: consumption === undefined ? null : Number(consumption.year),
    sourcesYear,
    sources,
    hhi: total === 0n ? null : formatRatio(10_000n * sumOfSquares, total * total, EXPOSURE_SCALES.hhi),
    cr3: total === 0n ? null : formatRatio(top3, total, EXPOSURE_SCALES.share),
    restrictedShare: total === 0n ? null : formatRatio(restricted, total, EXPOSURE_SCALES.share),
    // attributable grams are fractions of a gram at most; the report rounds them to the gram
    stockpileHolding: gramsToKilograms(
      BigInt(formatRatio(holdingTimesShares, SHARE_DENOMINATOR, EXPOSURE_SCALES.grams)),
    ),
    daysOfCover:
      consumptionGrams === undefined
        ? null
        : formatRatio(
            holdingTimesShares * 365n,
            SHARE_DENOMINATOR * consumptionGrams,
            EXPOSURE_SCALES.daysOfCover,
          ),
    offtakeCoverage:
      consumptionGrams === undefined
        ? null
        : formatRatio(offtakeGrams, consumptionGrams, EXPOSURE_SCALES.share),
  };
}

/** Every material C has data for: statistics, offtakes it buys, or stockpiles it takes part in. */
export function queryExposureMaterials(db: SqliteDatabase, country: string, cut: Bitemporal): string[] {
  const known = knownAtWhere(cut);
  const rows = db
    .prepare(
      `SELECT material FROM supply_statistics_v1 WHERE country = @country AND ${known.sql}
       UNION SELECT material FROM offtakes_v1 WHERE buyer_country = @country AND ${known.sql}
       UNION SELECT m.material FROM inventory_movements_v1 m
               JOIN stockpile_participants_v1 p ON p.stockpile_id = m.stockpile_id
              WHERE p.country = @country AND ${knownAtWhere(cut, 'm').sql}
       ORDER BY material`,
    )
    .pluck()
    .all({ ...known.params, country }) as string[];
  return rows;
}
