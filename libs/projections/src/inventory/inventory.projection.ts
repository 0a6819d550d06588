import { Quantity, type StockpileEvent } from '@ledger/domain';
import type { RecordedEvent, SqliteDatabase } from '@ledger/event-store';
import { type FactTimes, factTimes, insertEach, type SqliteReadModel } from '../projection';

/** One movement of stock, a row of fact: balances are sums over the rows visible at (asOf, knownAt). */
export interface InventoryMovement extends FactTimes {
  stockpileId: string;
  material: string;
  location: string;
  kind: 'acquired' | 'released' | 'transferredIn' | 'transferredOut';
  grams: bigint;
}

const stockpileIdOf = (streamId: string): string => streamId.slice(streamId.indexOf('-') + 1);

export function projectInventory(event: RecordedEvent): InventoryMovement[] {
  if (!event.streamId.startsWith('stockpile-')) return [];
  const stockpileId = stockpileIdOf(event.streamId);
  const times = factTimes(event);
  const row = (kind: InventoryMovement['kind'], material: string, location: string, quantity: unknown) => ({
    ...times,
    stockpileId,
    material,
    location,
    kind,
    grams: Quantity.parse(quantity).grams,
  });
  const known = event as unknown as StockpileEvent;
  switch (known.type) {
    case 'StockpileAcquired':
      return [row('acquired', known.data.material, known.data.location, known.data.quantity)];
    case 'StockpileReleased':
      return [row('released', known.data.material, known.data.location, known.data.quantity)];
    case 'StockTransferred':
      return [
        row('transferredOut', known.data.material, known.data.fromLocation, known.data.quantity),
        row('transferredIn', known.data.material, known.data.toLocation, known.data.quantity),
      ];
    default:
      return [];
  }
}

export const inventoryReadModel: SqliteReadModel<InventoryMovement> = {
  name: 'inventory_v1',
  tables: ['inventory_movements_v1'],
  project: projectInventory,
  createTables(db: SqliteDatabase, prefix = '') {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${prefix}inventory_movements_v1 (
        position     INTEGER NOT NULL,
        stockpile_id TEXT    NOT NULL,
        material     TEXT    NOT NULL,
        location     TEXT    NOT NULL,
        kind         TEXT    NOT NULL,
        grams        INTEGER NOT NULL,
        effective_at TEXT    NOT NULL,
        recorded_at  TEXT    NOT NULL,
        -- a transfer writes two rows from one event; replaying an event rewrites the same keys
        PRIMARY KEY (position, kind)
      );
      CREATE INDEX IF NOT EXISTS ${prefix}inventory_movements_v1_by_stockpile
        ON ${prefix}inventory_movements_v1 (stockpile_id, material, location, effective_at);
    `);
  },
  writer(db: SqliteDatabase, prefix = '') {
    return insertEach(
      db.prepare(
        `INSERT OR REPLACE INTO ${prefix}inventory_movements_v1
         (position, stockpile_id, material, location, kind, grams, effective_at, recorded_at)
       VALUES (@position, @stockpileId, @material, @location, @kind, @grams, @effectiveAt, @recordedAt)`,
      ),
    );
  },
};
