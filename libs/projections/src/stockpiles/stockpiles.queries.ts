import { gramsToKilograms } from '@ledger/domain';
import { type Bitemporal, bitemporalCondition } from '../bitemporal';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from '../cursor';
import {
  allInventoryBalances,
  type InventoryRow,
  onHandGrams,
  toInventoryRow,
} from '../inventory/inventory.queries';
import type { SqlReader, SqlValue } from '../sql/sql.port';

export interface Participant {
  country: string;
  sharePercent: string;
}

export interface StockpileView {
  stockpileId: string;
  name: string;
  custodian: string;
  participants: Participant[];
  balances: Omit<InventoryRow, 'stockpileId'>[];
}

export interface StockpileListItem {
  stockpileId: string;
  name: string;
  custodian: string;
  participants: Participant[];
  /** on hand per material, over every location, in canonical kilograms */
  onHand: { material: string; onHand: string }[];
}

export interface StockpileFilter {
  participant?: string;
  material?: string;
}

interface StockpileRecord {
  stockpile_id: string;
  name: string;
  custodian: string;
}

async function participantsOf(db: SqlReader, ids: string[]): Promise<Map<string, Participant[]>> {
  const byStockpile = new Map<string, Participant[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byStockpile;
  const rows = await db.all<{ stockpile_id: string; country: string; share_percent: string }>(
    `SELECT stockpile_id, country, share_percent FROM stockpile_participants
      WHERE stockpile_id IN (${ids.map(() => '?').join(', ')}) ORDER BY stockpile_id, country`,
    ids,
  );
  for (const row of rows) {
    byStockpile.get(row.stockpile_id)?.push({ country: row.country, sharePercent: row.share_percent });
  }
  return byStockpile;
}

/** The stockpile as known at the cut, or undefined when it was not established (or not yet known) then. */
export async function queryStockpile(
  db: SqlReader,
  stockpileId: string,
  cut: Bitemporal,
): Promise<StockpileView | undefined> {
  const where = bitemporalCondition(cut);
  const stockpile = await db.get<StockpileRecord>(
    `SELECT stockpile_id, name, custodian FROM stockpiles WHERE stockpile_id = ? AND ${where.sql}`,
    [stockpileId, ...where.params],
  );
  if (!stockpile) return undefined;
  const participants = (await participantsOf(db, [stockpileId])).get(stockpileId) ?? [];
  const balances = await allInventoryBalances(db, { stockpileIds: [stockpileId] }, cut);
  return {
    stockpileId,
    name: stockpile.name,
    custodian: stockpile.custodian,
    participants,
    balances: balances.map(toInventoryRow).map(({ stockpileId: _id, ...balance }) => balance),
  };
}

/** GET /stockpiles: stockpiles in id order, with their participants and on-hand totals per material. */
export async function listStockpiles(
  db: SqlReader,
  filter: StockpileFilter,
  cut: Bitemporal,
  page: PageRequest,
): Promise<Page<StockpileListItem>> {
  const where = bitemporalCondition(cut, 's');
  const clauses = [where.sql];
  const params: SqlValue[] = [...where.params];
  if (filter.participant !== undefined) {
    clauses.push(
      'EXISTS (SELECT 1 FROM stockpile_participants p WHERE p.stockpile_id = s.stockpile_id AND p.country = ?)',
    );
    params.push(filter.participant);
  }
  if (filter.material !== undefined) {
    // a movement of the material inside both cuts: a balance's first times alone would let in a stockpile
    // whose stock of it was not yet known at knownAt
    const moved = bitemporalCondition(cut, 'm');
    clauses.push(
      `EXISTS (SELECT 1 FROM inventory_movements m WHERE m.stockpile_id = s.stockpile_id AND m.material = ?
                  AND ${moved.sql})`,
    );
    params.push(filter.material, ...moved.params);
  }
  if (page.cursor !== undefined) {
    clauses.push('s.stockpile_id > ?');
    params.push(decodeCursor(page.cursor, 1)[0]!);
  }
  const rows = await db.all<StockpileRecord>(
    `SELECT s.stockpile_id, s.name, s.custodian FROM stockpiles s
      WHERE ${clauses.join(' AND ')} ORDER BY s.stockpile_id LIMIT ?`,
    [...params, page.limit + 1],
  );
  const pageRows = rows.slice(0, page.limit);
  const ids = pageRows.map((row) => row.stockpile_id);
  const participants = await participantsOf(db, ids);
  const onHand = new Map<string, Map<string, bigint>>(ids.map((id) => [id, new Map()]));
  const balances = await allInventoryBalances(
    db,
    { stockpileIds: ids, ...(filter.material === undefined ? {} : { material: filter.material }) },
    cut,
  );
  for (const balance of balances) {
    const materials = onHand.get(balance.stockpileId)!;
    materials.set(balance.material, (materials.get(balance.material) ?? 0n) + onHandGrams(balance.totals));
  }
  return {
    items: pageRows.map((row) => ({
      stockpileId: row.stockpile_id,
      name: row.name,
      custodian: row.custodian,
      participants: participants.get(row.stockpile_id) ?? [],
      onHand: [...onHand.get(row.stockpile_id)!].map(([material, grams]) => ({
        material,
        onHand: gramsToKilograms(grams),
      })),
    })),
    nextCursor: rows.length > page.limit ? encodeCursor([pageRows[pageRows.length - 1]!.stockpile_id]) : null,
  };
}

/** The stockpiles a country takes part in, known at the cut, with its share of each (four places). */
export async function participationsOf(
  db: SqlReader,
  country: string,
  cut: Bitemporal,
): Promise<{ stockpileId: string; sharePercent: string }[]> {
  const where = bitemporalCondition(cut);
  const rows = await db.all<{ stockpile_id: string; share_percent: string }>(
    `SELECT stockpile_id, share_percent FROM stockpile_participants
      WHERE country = ? AND ${where.sql} ORDER BY stockpile_id`,
    [country, ...where.params],
  );
  return rows.map((row) => ({ stockpileId: row.stockpile_id, sharePercent: row.share_percent }));
}
