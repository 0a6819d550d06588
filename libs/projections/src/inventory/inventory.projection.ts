import { STOCKPILE_EVENT_TYPES, STOCKPILE_STREAMS, type StockpileEvent, storedGrams } from '@ledger/domain';
import { type FactTimes, type Projected, type ReadModel, TIMES_COLUMNS } from '../read-model';
import type { SqlValue, Statement } from '../sql/sql.port';

export type MovementKind = 'acquired' | 'released' | 'transferredIn' | 'transferredOut';

/** One movement of stock, a row of fact: balances at (asOf, knownAt) are sums over the rows inside the cut. */
export interface InventoryMovement extends FactTimes {
  stockpileId: string;
  material: string;
  location: string;
  kind: MovementKind;
  grams: bigint;
}

export function projectInventory(event: Projected<StockpileEvent>): InventoryMovement[] {
  // a literal, not a spread of factTimes(event): see FactTimes
  const movement = (kind: MovementKind, material: string, location: string, grams: bigint) => ({
    position: event.position,
    effectiveAt: event.effectiveAt,
    recordedAt: event.recordedAt,
    stockpileId: event.entityId,
    material,
    location,
    kind,
    grams,
  });
  switch (event.type) {
    case 'StockpileAcquired': {
      const { material, location, quantity } = event.data;
      return [movement('acquired', material, location, storedGrams(quantity))];
    }
    case 'StockpileReleased': {
      const { material, location, quantity } = event.data;
      return [movement('released', material, location, storedGrams(quantity))];
    }
    case 'StockTransferred': {
      const { material, fromLocation, toLocation, quantity } = event.data;
      const grams = storedGrams(quantity);
      return [
        movement('transferredOut', material, fromLocation, grams),
        movement('transferredIn', material, toLocation, grams),
      ];
    }
    case 'StockpileEstablished':
      return [];
  }
}

/** The four running totals of a balance, by the movement kind that feeds each. */
export const BALANCE_COLUMNS: Record<MovementKind, string> = {
  acquired: 'acquired',
  released: 'released',
  transferredIn: 'transferred_in',
  transferredOut: 'transferred_out',
};

const key = (movement: InventoryMovement): string =>
  JSON.stringify([movement.stockpileId, movement.material, movement.location]);

/** What a batch adds to one balance. */
interface BalanceDelta {
  movement: InventoryMovement;
  totals: Record<MovementKind, bigint>;
  firstPosition: bigint;
  lastPosition: bigint;
  firstRecordedAt: string;
  lastRecordedAt: string;
  firstEffectiveAt: string;
  lastEffectiveAt: string;
}

function balanceDeltas(movements: InventoryMovement[]): BalanceDelta[] {
  const deltas = new Map<string, BalanceDelta>();
  for (const movement of movements) {
    const balance = key(movement);
    let delta = deltas.get(balance);
    if (!delta) {
      delta = {
        movement,
        totals: { acquired: 0n, released: 0n, transferredIn: 0n, transferredOut: 0n },
        firstPosition: movement.position,
        lastPosition: movement.position,
        firstRecordedAt: movement.recordedAt,
        lastRecordedAt: movement.recordedAt,
        firstEffectiveAt: movement.effectiveAt,
        lastEffectiveAt: movement.effectiveAt,
      };
      deltas.set(balance, delta);
    }
    delta.totals[movement.kind] += movement.grams;
    delta.lastPosition = movement.position;
    delta.lastRecordedAt = movement.recordedAt;
    if (movement.effectiveAt < delta.firstEffectiveAt) delta.firstEffectiveAt = movement.effectiveAt;
    if (movement.effectiveAt > delta.lastEffectiveAt) delta.lastEffectiveAt = movement.effectiveAt;
  }
  return [...deltas.values()];
}

/**
 * Inventory keeps every movement (for any asOf and knownAt) and, per (stockpile, material, location), the
 * running totals over all of them: the balance "now" is one row, and a past cut reads only the movements
 * that differ from it. Totals are exact decimals of any size (TEXT summed in bigint on SQLite, NUMERIC on
 * PostgreSQL), so no accepted event can overflow them.
 */
export const inventoryReadModel: ReadModel<StockpileEvent, InventoryMovement> = {
  name: 'inventory_v2',
  category: STOCKPILE_STREAMS,
  handles: STOCKPILE_EVENT_TYPES,
  tables: [
    {
      name: 'inventory_movements',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           stockpile_id TEXT NOT NULL, material TEXT NOT NULL, location TEXT NOT NULL, kind TEXT NOT NULL,
           grams ${d.decimal} NOT NULL, ${TIMES_COLUMNS(d)},
           -- a transfer writes two rows from one event; replaying an event rewrites the same keys
           PRIMARY KEY (position, kind))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_balance
           ON ${table} (stockpile_id, material, location, effective_at)`,
      ],
    },
    {
      name: 'inventory_balances',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           stockpile_id TEXT NOT NULL, material TEXT NOT NULL, location TEXT NOT NULL,
           acquired ${d.decimal} NOT NULL, released ${d.decimal} NOT NULL,
           transferred_in ${d.decimal} NOT NULL, transferred_out ${d.decimal} NOT NULL,
           -- the first and last movement by position (and recorded time, which never decreases with it),
           -- and the earliest and latest effective time: a cut beyond all of them sees the totals as they are
           first_position ${d.bigint} NOT NULL, last_position ${d.bigint} NOT NULL,
           first_recorded_at TEXT NOT NULL, last_recorded_at TEXT NOT NULL,
           first_effective_at TEXT NOT NULL, last_effective_at TEXT NOT NULL,
           PRIMARY KEY (stockpile_id, material, location))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_material ON ${table} (material, stockpile_id)`,
      ],
    },
  ],
  project: projectInventory,
  write(movements, tables, d) {
    if (movements.length === 0) return [];
    const balances = tables('inventory_balances');
    const movementRows: SqlValue[][] = movements.map((m) => [
      m.stockpileId,
      m.material,
      m.location,
      m.kind,
      m.grams.toString(),
      m.position,
      m.effectiveAt,
      m.recordedAt,
    ]);
    const balanceRows: SqlValue[][] = balanceDeltas(movements).map((delta) => [
      delta.movement.stockpileId,
      delta.movement.material,
      delta.movement.location,
      delta.totals.acquired.toString(),
      delta.totals.released.toString(),
      delta.totals.transferredIn.toString(),
      delta.totals.transferredOut.toString(),
      delta.firstPosition,
      delta.lastPosition,
      delta.firstRecordedAt,
      delta.lastRecordedAt,
      delta.firstEffectiveAt,
      delta.lastEffectiveAt,
    ]);
    const added = (column: string) => `${column} = ${d.add(`${balances}.${column}`, `excluded.${column}`)}`;
    const statements: Statement[] = [
      {
        sql: `INSERT INTO ${tables('inventory_movements')}
                (stockpile_id, material, location, kind, grams, position, effective_at, recorded_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (position, kind) DO NOTHING`,
        rows: movementRows,
      },
      {
        // A movement already counted (a batch delivered twice) has a position the balance has passed.
        sql: `INSERT INTO ${balances}
                (stockpile_id, material, location, acquired, released, transferred_in, transferred_out,
                 first_position, last_position, first_recorded_at, last_recorded_at,
                 first_effective_at, last_effective_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (stockpile_id, material, location) DO UPDATE SET
                ${added('acquired')}, ${added('released')}, ${added('transferred_in')}, ${added('transferred_out')},
                last_position = excluded.last_position, last_recorded_at = excluded.last_recorded_at,
                first_effective_at = ${d.least(`${balances}.first_effective_at`, 'excluded.first_effective_at')},
                last_effective_at = ${d.greatest(`${balances}.last_effective_at`, 'excluded.last_effective_at')}
              WHERE ${balances}.last_position < excluded.first_position`,
        rows: balanceRows,
      },
    ];
    return statements;
  },
};
