import { formatRatio, gramsToKilograms, parseStoredDecimal } from '@ledger/domain';
import { type Bitemporal, knownAtCondition } from '../bitemporal';
import { allInventoryBalances, onHandGrams } from '../inventory/inventory.queries';
import { offtakeMaterialsOf, offtakesInForceFor } from '../projects/projects.queries';
import { queryActiveRestrictions } from '../restrictions/restrictions.queries';
import type { SqlReader } from '../sql/sql.port';
import { participationsOf } from '../stockpiles/stockpiles.queries';
import { latestConsumption, latestFlows, supplyMaterialsOf } from '../supply/supply.queries';

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

/** Stockpile shares are kept to four places: sharePercent × 10^4, so 100 % is 10^6. */
const SHARE_SCALE = 4;
const SHARE_DENOMINATOR = 1_000_000n;

/**
 * C's attributable holding of M: Σ over the stockpiles it takes part in of sharePercent / 100 × onHand, as
 * a numerator over SHARE_DENOMINATOR grams. The balances are the running totals the inventory keeps, so
 * this reads a row per (stockpile, location), not the movements.
 */
async function attributableHolding(db: SqlReader, country: string, material: string, cut: Bitemporal) {
  const participations = await participationsOf(db, country, cut);
  if (participations.length === 0) return 0n;
  const shares = new Map(
    participations.map((p) => [
      p.stockpileId,
      parseStoredDecimal(p.sharePercent, SHARE_SCALE, 'sharePercent'),
    ]),
  );
  const balances = await allInventoryBalances(db, { stockpileIds: [...shares.keys()], material }, cut);
  return balances.reduce(
    (sum, balance) => sum + onHandGrams(balance.totals) * shares.get(balance.stockpileId)!,
    0n,
  );
}

/**
 * Exposure of importing country C to material M as of D, known at K, with DOMAIN.md's exact definitions.
 * Every part is a handful of indexed lookups: the statistics of one key, the measures that could concern
 * (C, M), C's stockpile balances and offtakes of M.
 */
export async function queryExposure(
  db: SqlReader,
  country: string,
  material: string,
  cut: Bitemporal,
): Promise<Exposure> {
  const day = cut.asOf.slice(0, 10);
  const year = Number(day.slice(0, 4));
  const [restrictions, consumption, latest, holdingTimesShares, offtakes] = await Promise.all([
    queryActiveRestrictions(db, { activeOn: day, importer: country, material }, cut),
    latestConsumption(db, country, material, year, cut),
    latestFlows(db, country, material, year, cut),
    attributableHolding(db, country, material, cut),
    offtakesInForceFor(db, country, material, cut),
  ]);
  const restrictingCountries = new Set(restrictions.map((restriction) => restriction.imposedBy));
  const { year: sourcesYear, flows } = latest;
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
  const consumptionGrams = consumption?.grams;
  const offtakeGrams = offtakes
    .filter((offtake) => !restrictingCountries.has(offtake.projectCountry))
    .reduce((sum, offtake) => sum + offtake.grams, 0n);

  return {
    country,
    material,
    asOf: cut.asOf,
    consumption: consumptionGrams === undefined ? null : gramsToKilograms(consumptionGrams),
    consumptionYear: consumption === undefined ? null : consumption.year,
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
      consumptionGrams === undefined || consumptionGrams === 0n
        ? null
        : formatRatio(
            holdingTimesShares * 365n,
            SHARE_DENOMINATOR * consumptionGrams,
            EXPOSURE_SCALES.daysOfCover,
          ),
    offtakeCoverage:
      consumptionGrams === undefined || consumptionGrams === 0n
        ? null
        : formatRatio(offtakeGrams, consumptionGrams, EXPOSURE_SCALES.share),
  };
}

/** Every material C has data for: statistics, offtakes it buys, or stockpiles it takes part in. */
export async function queryExposureMaterials(
  db: SqlReader,
  country: string,
  cut: Bitemporal,
): Promise<string[]> {
  const known = knownAtCondition(cut, 'p');
  const [supply, offtakes, holdings] = await Promise.all([
    supplyMaterialsOf(db, country, cut),
    offtakeMaterialsOf(db, country, cut),
    db.all<{ material: string }>(
      `SELECT DISTINCT b.material FROM inventory_balances b
         JOIN stockpile_participants p ON p.stockpile_id = b.stockpile_id
        WHERE p.country = ? AND ${known.sql} AND ${
          cut.knownAt === undefined
            ? '1 = 1'
            : 'position' in cut.knownAt
              ? 'b.first_position <= ?'
              : 'b.first_recorded_at <= ?'
        }`,
      [
        country,
        ...known.params,
        ...(cut.knownAt === undefined
          ? []
          : 'position' in cut.knownAt
            ? [cut.knownAt.position]
            : [cut.knownAt.recordedAt]),
      ],
    ),
  ]);
  return [...new Set([...supply, ...offtakes, ...holdings.map((row) => row.material)])].sort();
}
