import type { SqliteDatabase } from '@ledger/event-store';
import { type Bitemporal, bitemporalWhere } from '../bitemporal';
import { queryInventory, type InventoryRow } from '../inventory/inventory.queries';

export interface StockpileView {
  stockpileId: string;
  name: string;
  custodian: string;
  participants: { country: string; sharePercent: string }[];
  balances: Omit<InventoryRow, 'stockpileId'>[];
}

interface ParticipantRow {
  name: string;
  custodian: string;
  country: string;
  share_percent: string;
}

/** The stockpile as known at the cut, or undefined when it was not established (or not yet known) then. */
export function queryStockpile(
  db: SqliteDatabase,
  stockpileId: string,
  cut: Bitemporal,
): StockpileView | undefined {
  const where = bitemporalWhere(cut);
  const participants = db
    .prepare(
      `SELECT name, custodian, country, share_percent FROM stockpile_participants_v1
        WHERE stockpile_id = @stockpileId AND ${where.sql} ORDER BY country`,
    )
    .all({ ...where.params, stockpileId }) as ParticipantRow[];
  const first = participants[0];
  if (!first) return undefined;
  return {
    stockpileId,
    name: first.name,
    custodian: first.custodian,
    participants: participants.map((row) => ({ country: row.country, sharePercent: row.share_percent })),
    balances: queryInventory(db, { stockpileId }, cut).map(({ stockpileId: _id, ...balance }) => balance),
  };
}
