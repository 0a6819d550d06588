import { storedGrams, SUPPLY_EVENT_TYPES, SUPPLY_STREAMS, type SupplyEvent } from '@ledger/domain';
import { type FactTimes, type Projected, type ReadModel, TIMES_COLUMNS } from '../read-model';

/**
 * A trade flow (exporter set) or a consumption figure (exporter empty) of one country, material and year.
 * A later statistic for the same key supersedes an earlier one for every reader whose `knownAt` reaches it.
 */
export interface SupplyStatistic extends FactTimes {
  kind: 'trade' | 'consumption';
  country: string;
  /** the exporting country of a trade flow; '' for consumption */
  exporter: string;
  material: string;
  year: number;
  grams: bigint;
}

export function projectSupply(event: Projected<SupplyEvent>): SupplyStatistic[] {
  // literals, not spreads of factTimes(event): see FactTimes
  const { position, effectiveAt, recordedAt } = event;
  switch (event.type) {
    case 'TradeFlowRecorded':
      return [
        {
          position,
          effectiveAt,
          recordedAt,
          kind: 'trade',
          country: event.data.importer,
          exporter: event.data.exporter,
          material: event.data.material,
          year: event.data.year,
          grams: storedGrams(event.data.annualQuantity, 'annualQuantity'),
        },
      ];
    case 'ConsumptionRecorded':
      return [
        {
          position,
          effectiveAt,
          recordedAt,
          kind: 'consumption',
          country: event.data.country,
          exporter: '',
          material: event.data.material,
          year: event.data.year,
          grams: storedGrams(event.data.annualQuantity, 'annualQuantity'),
        },
      ];
  }
}

const KEY_COLUMNS = 'kind, country, exporter, material, year';

/**
 * Every statistic as recorded (for any knownAt), and the one in force per key now, which lists and reports
 * without a knownAt read directly.
 */
export const supplyReadModel: ReadModel<SupplyEvent, SupplyStatistic> = {
  name: 'supply_v2',
  category: SUPPLY_STREAMS,
  handles: SUPPLY_EVENT_TYPES,
  tables: [
    {
      name: 'supply_statistics',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           kind TEXT NOT NULL, country TEXT NOT NULL, exporter TEXT NOT NULL, material TEXT NOT NULL,
           year ${d.bigint} NOT NULL, grams ${d.decimal} NOT NULL, ${TIMES_COLUMNS(d)}, PRIMARY KEY (position))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_key ON ${table} (country, material, kind, year, exporter, position)`,
      ],
    },
    {
      name: 'supply_in_force',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           kind TEXT NOT NULL, country TEXT NOT NULL, exporter TEXT NOT NULL, material TEXT NOT NULL,
           year ${d.bigint} NOT NULL, grams ${d.decimal} NOT NULL, ${TIMES_COLUMNS(d)},
           PRIMARY KEY (${KEY_COLUMNS}))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_material ON ${table} (kind, material, country, year)`,
      ],
    },
    {
      name: 'supply_materials',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           country TEXT NOT NULL, material TEXT NOT NULL,
           first_position ${d.bigint} NOT NULL, first_recorded_at TEXT NOT NULL, PRIMARY KEY (country, material))`,
      ],
    },
  ],
  project: projectSupply,
  write(statistics, tables, d) {
    const row = (s: SupplyStatistic) => [
      s.kind,
      s.country,
      s.exporter,
      s.material,
      BigInt(s.year),
      s.grams.toString(),
      s.position,
      s.effectiveAt,
      s.recordedAt,
    ];
    // one row per key for the statistics in force: the last of the batch, a later revision replacing it
    const latest = new Map<string, SupplyStatistic>();
    const firsts = new Map<string, SupplyStatistic>();
    for (const s of statistics) {
      latest.set(JSON.stringify([s.kind, s.country, s.exporter, s.material, s.year]), s);
      const material = JSON.stringify([s.country, s.material]);
      if (!firsts.has(material)) firsts.set(material, s);
    }
    const inForce = tables('supply_in_force');
    const materials = tables('supply_materials');
    return [
      {
        sql: `INSERT INTO ${tables('supply_statistics')} (${KEY_COLUMNS}, grams, position, effective_at, recorded_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (position) DO NOTHING`,
        rows: statistics.map(row),
      },
      {
        sql: `INSERT INTO ${inForce} (${KEY_COLUMNS}, grams, position, effective_at, recorded_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (${KEY_COLUMNS}) DO UPDATE SET grams = excluded.grams, position = excluded.position,
                effective_at = excluded.effective_at, recorded_at = excluded.recorded_at
              WHERE ${inForce}.position < excluded.position`,
        rows: [...latest.values()].map(row),
      },
      {
        sql: `INSERT INTO ${materials} (country, material, first_position, first_recorded_at) VALUES (?, ?, ?, ?)
              ON CONFLICT (country, material) DO UPDATE SET
                first_position = ${d.least(`${materials}.first_position`, 'excluded.first_position')},
                first_recorded_at = ${d.least(`${materials}.first_recorded_at`, 'excluded.first_recorded_at')}`,
        rows: [...firsts.values()].map((s) => [s.country, s.material, s.position, s.recordedAt]),
      },
    ];
  },
};
