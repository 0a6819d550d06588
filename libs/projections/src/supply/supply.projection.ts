import { Quantity, type SupplyEvent } from '@ledger/domain';
import type { RecordedEvent, SqliteDatabase } from '@ledger/event-store';
import { type FactTimes, factTimes, insertEach, type SqliteReadModel } from '../projection';

/**
 * A trade flow (exporter set) or a consumption figure (exporter null) for one country, material and year.
 * A later row for the same key supersedes an earlier one for every reader whose `knownAt` reaches it.
 */
export interface SupplyStatistic extends FactTimes {
  kind: 'trade' | 'consumption';
  country: string;
  exporter: string | null;
  material: string;
  year: number;
  grams: bigint;
}

export function projectSupply(event: RecordedEvent): SupplyStatistic[] {
  const known = event as unknown as SupplyEvent;
  switch (known.type) {
    case 'TradeFlowRecorded':
      return [
        {
          ...factTimes(event),
          kind: 'trade',
          country: known.data.importer,
          exporter: known.data.exporter,
          material: known.data.material,
          year: known.data.year,
          grams: Quantity.parse(known.data.annualQuantity).grams,
        },
      ];
    case 'ConsumptionRecorded':
      return [
        {
          ...factTimes(event),
          kind: 'consumption',
          country: known.data.country,
          exporter: null,
          material: known.data.material,
          year: known.data.year,
          grams: Quantity.parse(known.data.annualQuantity).grams,
        },
      ];
    default:
      return [];
  }
}

export const supplyReadModel: SqliteReadModel<SupplyStatistic> = {
  name: 'supply_v1',
  tables: ['supply_statistics_v1'],
  project: projectSupply,
  createTables(db: SqliteDatabase, prefix = '') {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${prefix}supply_statistics_v1 (
        position     INTEGER PRIMARY KEY,
        kind         TEXT    NOT NULL,
        country      TEXT    NOT NULL,
        exporter     TEXT,
        material     TEXT    NOT NULL,
        year         INTEGER NOT NULL,
        grams        INTEGER NOT NULL,
        effective_at TEXT    NOT NULL,
        recorded_at  TEXT    NOT NULL
      );
      CREATE INDEX IF NOT EXISTS ${prefix}supply_statistics_v1_by_key ON ${prefix}supply_statistics_v1 (country, material, kind, year);
    `);
  },
  writer(db: SqliteDatabase, prefix = '') {
    return insertEach(
      db.prepare(
        `INSERT OR REPLACE INTO ${prefix}supply_statistics_v1
         (position, kind, country, exporter, material, year, grams, effective_at, recorded_at)
       VALUES (@position, @kind, @country, @exporter, @material, @year, @grams, @effectiveAt, @recordedAt)`,
      ),
    );
  },
};
