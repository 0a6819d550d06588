import { gramsToKilograms } from '@ledger/domain';
import type { SqliteDatabase } from '@ledger/event-store';
import { type Bitemporal, bitemporalWhere } from '../bitemporal';

export interface InventoryFilter {
  stockpileId?: string;
  material?: string;
  location?: string;
}

export interface InventoryRow {
  stockpileId: string;
  material: string;
  location: string;
  /** canonical kilograms, exact decimal strings */
  onHand: string;
  acquired: string;
  released: string;
  transferredIn: string;
  transferredOut: string;
}

interface SumRow {
  stockpile_id: string;
  material: string;
  location: string;
  acquired: bigint;
  released: bigint;
  transferred_in: bigint;
  transferred_out: bigint;
}

/** Balances per (stockpile, material, location), summed in SQLite's 64-bit integers of grams. */
export function queryInventory(db: SqliteDatabase, filter: InventoryFilter, cut: Bitemporal): InventoryRow[] {
  const where = bitemporalWhere(cut);
  const clauses = [where.sql];
  const params: Record<string, unknown> = { ...where.params };
  for (const [key, column] of [
    ['stockpileId', 'stockpile_id'],
    ['material', 'material'],
    ['location', 'location'],
  ] as const) {
    if (filter[key] !== undefined) {
      clauses.push(`${column} = @${key}`);
      params[key] = filter[key];
    }
  }
  const rows = db
    .prepare(
      `SELECT stockpile_id, material, location,
              SUM(CASE kind WHEN 'acquired' THEN grams ELSE 0 END)       AS acquired,
              SUM(CASE kind WHEN 'released' THEN grams ELSE 0 END)       AS released,
              SUM(CASE kind WHEN 'transferredIn' THEN grams ELSE 0 END)  AS transferred_in,
              SUM(CASE kind WHEN 'transferredOut' THEN grams ELSE 0 END) AS transferred_out
         FROM inventory_movements_v1
        WHERE ${clauses.join(' AND ')}
        GROUP BY stockpile_id, material, location
        ORDER BY stockpile_id, material, location`,
    )
    .safeIntegers(true)
    .all(params) as SumRow[];
  return rows.map((row) => ({
    stockpileId: row.stockpile_id,
    material: row.material,
    location: row.location,
    onHand: gramsToKilograms(row.acquired + row.transferred_in - row.released - row.transferred_out),
    acquired: gramsToKilograms(row.acquired),
    released: gramsToKilograms(row.released),
    transferredIn: gramsToKilograms(row.transferred_in),
    transferredOut: gramsToKilograms(row.transferred_out),
  }));
}
