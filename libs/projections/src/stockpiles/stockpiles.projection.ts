import type { StockpileEvent } from '@ledger/domain';
import type { RecordedEvent, SqliteDatabase } from '@ledger/event-store';
import { type FactTimes, factTimes, insertEach, type SqliteReadModel } from '../projection';

/** A stockpile as established, with its participants; a row per participant. */
export interface StockpileParticipation extends FactTimes {
  stockpileId: string;
  name: string;
  custodian: string;
  country: string;
  sharePercent: string;
}

export function projectStockpiles(event: RecordedEvent): StockpileParticipation[] {
  const known = event as unknown as StockpileEvent;
  if (!event.streamId.startsWith('stockpile-') || known.type !== 'StockpileEstablished') return [];
  const { stockpileId, name, custodian, participants } = known.data;
  return participants.map(({ country, sharePercent }) => ({
    ...factTimes(event),
    stockpileId,
    name,
    custodian,
    country,
    sharePercent,
  }));
}

export const stockpilesReadModel: SqliteReadModel<StockpileParticipation> = {
  name: 'stockpiles_v1',
  tables: ['stockpile_participants_v1'],
  project: projectStockpiles,
  createTables(db: SqliteDatabase, prefix = '') {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${prefix}stockpile_participants_v1 (
        stockpile_id  TEXT    NOT NULL,
        country       TEXT    NOT NULL,
        name          TEXT    NOT NULL,
        custodian     TEXT    NOT NULL,
        share_percent TEXT    NOT NULL,
        effective_at  TEXT    NOT NULL,
        recorded_at   TEXT    NOT NULL,
        position      INTEGER NOT NULL,
        PRIMARY KEY (stockpile_id, country)
      );
      CREATE INDEX IF NOT EXISTS ${prefix}stockpile_participants_v1_by_country ON ${prefix}stockpile_participants_v1 (country);
    `);
  },
  writer(db: SqliteDatabase, prefix = '') {
    return insertEach(
      db.prepare(
        `INSERT OR REPLACE INTO ${prefix}stockpile_participants_v1
         (stockpile_id, country, name, custodian, share_percent, effective_at, recorded_at, position)
       VALUES (@stockpileId, @country, @name, @custodian, @sharePercent, @effectiveAt, @recordedAt, @position)`,
      ),
    );
  },
};
