import { STOCKPILE_EVENT_TYPES, STOCKPILE_STREAMS, type StockpileEvent } from '@ledger/domain';
import { type FactTimes, factTimes, type Projected, type ReadModel, TIMES_COLUMNS } from '../read-model';

/** A stockpile as established, with its participants and their shares. */
export interface StockpileEstablishment extends FactTimes {
  stockpileId: string;
  name: string;
  custodian: string;
  participants: { country: string; sharePercent: string }[];
}

export function projectStockpiles(event: Projected<StockpileEvent>): StockpileEstablishment[] {
  if (event.type !== 'StockpileEstablished') return [];
  const { name, custodian, participants } = event.data;
  return [{ ...factTimes(event), stockpileId: event.entityId, name, custodian, participants }];
}

/** Stockpiles and who takes part in them; participants are set once, at establishment. */
export const stockpilesReadModel: ReadModel<StockpileEvent, StockpileEstablishment> = {
  name: 'stockpiles_v2',
  category: STOCKPILE_STREAMS,
  handles: STOCKPILE_EVENT_TYPES,
  tables: [
    {
      name: 'stockpiles',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           stockpile_id TEXT PRIMARY KEY, name TEXT NOT NULL, custodian TEXT NOT NULL, ${TIMES_COLUMNS(d)})`,
      ],
    },
    {
      name: 'stockpile_participants',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           stockpile_id TEXT NOT NULL, country TEXT NOT NULL, share_percent TEXT NOT NULL, ${TIMES_COLUMNS(d)},
           PRIMARY KEY (stockpile_id, country))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_country ON ${table} (country, stockpile_id)`,
      ],
    },
  ],
  project: projectStockpiles,
  write(established, tables) {
    return [
      {
        sql: `INSERT INTO ${tables('stockpiles')} (stockpile_id, name, custodian, position, effective_at, recorded_at)
              VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (stockpile_id) DO NOTHING`,
        rows: established.map((s) => [
          s.stockpileId,
          s.name,
          s.custodian,
          s.position,
          s.effectiveAt,
          s.recordedAt,
        ]),
      },
      {
        sql: `INSERT INTO ${tables('stockpile_participants')}
                (stockpile_id, country, share_percent, position, effective_at, recorded_at)
              VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (stockpile_id, country) DO NOTHING`,
        rows: established.flatMap((s) =>
          s.participants.map((p) => [
            s.stockpileId,
            p.country,
            p.sharePercent,
            s.position,
            s.effectiveAt,
            s.recordedAt,
          ]),
        ),
      },
    ];
  },
};
