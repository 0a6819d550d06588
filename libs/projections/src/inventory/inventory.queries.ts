import { gramsToKilograms } from '@ledger/domain';
import { type Bitemporal, knownAtCondition, knownBy } from '../bitemporal';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from '../cursor';
import { type SqlReader, type SqlValue, toBigInt } from '../sql/sql.port';
import { BALANCE_COLUMNS, type MovementKind } from './inventory.projection';

export interface InventoryFilter {
  stockpileIds?: readonly string[];
  material?: string;
  location?: string;
}

/** A balance of one (stockpile, material, location): canonical kilograms, exact decimal strings. */
export interface InventoryRow {
  stockpileId: string;
  material: string;
  location: string;
  onHand: string;
  acquired: string;
  released: string;
  transferredIn: string;
  transferredOut: string;
}

/** The same in grams, for sums across balances (a country's attributable holding). */
export interface BalanceGrams {
  stockpileId: string;
  material: string;
  location: string;
  totals: Record<MovementKind, bigint>;
}

interface BalanceRecord {
  stockpile_id: string;
  material: string;
  location: string;
  acquired: unknown;
  released: unknown;
  transferred_in: unknown;
  transferred_out: unknown;
  first_position: unknown;
  last_position: unknown;
  first_recorded_at: string;
  last_recorded_at: string;
  first_effective_at: string;
  last_effective_at: string;
}

const KINDS = Object.keys(BALANCE_COLUMNS) as MovementKind[];
const keyOf = (row: { stockpile_id: string; material: string; location: string }) =>
  JSON.stringify([row.stockpile_id, row.material, row.location]);

export const onHandGrams = (totals: Record<MovementKind, bigint>): bigint =>
  totals.acquired + totals.transferredIn - totals.released - totals.transferredOut;

export function toInventoryRow(balance: BalanceGrams): InventoryRow {
  return {
    stockpileId: balance.stockpileId,
    material: balance.material,
    location: balance.location,
    onHand: gramsToKilograms(onHandGrams(balance.totals)),
    acquired: gramsToKilograms(balance.totals.acquired),
    released: gramsToKilograms(balance.totals.released),
    transferredIn: gramsToKilograms(balance.totals.transferredIn),
    transferredOut: gramsToKilograms(balance.totals.transferredOut),
  };
}

/** Slow keys are summed in one statement per page; padded to a power of two so few shapes get prepared. */
function paddedTuples<T>(items: T[]): T[] {
  let size = 1;
  while (size < items.length) size *= 2;
  return [...items, ...Array.from({ length: size - items.length }, () => items[items.length - 1]!)];
}

/**
 * Balances at the cut, one page in key order. A balance whose every movement lies inside the cut (the
 * usual case for "now") is the running total the projection keeps: one row read. Only the others are summed
 * from their movements, all of a page's in one indexed statement, so the cost follows the answer and what
 * changed around the cut, never the length of the log.
 */
export async function inventoryBalances(
  db: SqlReader,
  filter: InventoryFilter,
  cut: Bitemporal,
  page: PageRequest,
): Promise<Page<BalanceGrams>> {
  const firstKnown =
    cut.knownAt === undefined
      ? { sql: '1 = 1', params: [] as SqlValue[] }
      : 'position' in cut.knownAt
        ? { sql: 'first_position <= ?', params: [cut.knownAt.position] }
        : { sql: 'first_recorded_at <= ?', params: [cut.knownAt.recordedAt] };
  const clauses = ['first_effective_at <= ?', firstKnown.sql];
  const params: SqlValue[] = [cut.asOf, ...firstKnown.params];
  if (filter.stockpileIds !== undefined) {
    if (filter.stockpileIds.length === 0) return { items: [], nextCursor: null };
    clauses.push(`stockpile_id IN (${filter.stockpileIds.map(() => '?').join(', ')})`);
    params.push(...filter.stockpileIds);
  }
  if (filter.material !== undefined) {
    clauses.push('material = ?');
    params.push(filter.material);
  }
  if (filter.location !== undefined) {
    clauses.push('location = ?');
    params.push(filter.location);
  }
  let after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 3);
  const items: BalanceGrams[] = [];
  for (;;) {
    const wanted = page.limit - items.length;
    // one row more than wanted tells whether another page follows
    const fetched = await db.all<BalanceRecord>(
      `SELECT * FROM inventory_balances
        WHERE ${clauses.join(' AND ')} ${after ? 'AND (stockpile_id, material, location) > (?, ?, ?)' : ''}
        ORDER BY stockpile_id, material, location LIMIT ?`,
      [...params, ...(after ?? []), wanted + 1],
    );
    const batch = fetched.slice(0, wanted);
    const computed = await balancesAt(db, batch, cut);
    // in key order; a balance with no movement inside the cut has no row
    for (const row of batch) {
      const balance = computed.get(keyOf(row));
      if (balance) items.push(balance);
    }
    if (fetched.length <= wanted) return { items, nextCursor: null };
    const last = batch[batch.length - 1]!;
    after = [last.stockpile_id, last.material, last.location];
    if (items.length >= page.limit) return { items, nextCursor: encodeCursor(after) };
  }
}

/** The totals of each balance at the cut: its running totals when they lie wholly inside, else summed. */
async function balancesAt(
  db: SqlReader,
  rows: BalanceRecord[],
  cut: Bitemporal,
): Promise<Map<string, BalanceGrams>> {
  const computed = new Map<string, BalanceGrams>();
  const slow: BalanceRecord[] = [];
  for (const row of rows) {
    const everyMovementInside =
      row.last_effective_at <= cut.asOf &&
      knownBy(cut, { position: toBigInt(row.last_position), recordedAt: row.last_recorded_at });
    if (!everyMovementInside) {
      slow.push(row);
      continue;
    }
    computed.set(keyOf(row), {
      stockpileId: row.stockpile_id,
      material: row.material,
      location: row.location,
      totals: {
        acquired: toBigInt(row.acquired),
        released: toBigInt(row.released),
        transferredIn: toBigInt(row.transferred_in),
        transferredOut: toBigInt(row.transferred_out),
      },
    });
  }
  if (slow.length === 0) return computed;
  const known = knownAtCondition(cut);
  const tuples = paddedTuples(slow);
  const sums = await db.all<{
    stockpile_id: string;
    material: string;
    location: string;
    kind: string;
    grams: unknown;
  }>(
    `SELECT stockpile_id, material, location, kind, ${db.dialect.sum('grams')} AS grams
       FROM inventory_movements
      WHERE (stockpile_id, material, location) IN (VALUES ${tuples.map(() => '(?, ?, ?)').join(', ')})
        AND effective_at <= ? AND ${known.sql}
      GROUP BY stockpile_id, material, location, kind`,
    [...tuples.flatMap((row) => [row.stockpile_id, row.material, row.location]), cut.asOf, ...known.params],
  );
  for (const sum of sums) {
    let balance = computed.get(keyOf(sum));
    if (!balance) {
      balance = {
        stockpileId: sum.stockpile_id,
        material: sum.material,
        location: sum.location,
        totals: { acquired: 0n, released: 0n, transferredIn: 0n, transferredOut: 0n },
      };
      computed.set(keyOf(sum), balance);
    }
    const kind = KINDS.find((candidate) => candidate === sum.kind);
    if (kind) balance.totals[kind] += toBigInt(sum.grams);
  }
  return computed;
}

/** Every balance at the cut (filtered), read page by page: for reports over a bounded set of stockpiles. */
export async function allInventoryBalances(
  db: SqlReader,
  filter: InventoryFilter,
  cut: Bitemporal,
): Promise<BalanceGrams[]> {
  const balances: BalanceGrams[] = [];
  let cursor: string | undefined;
  do {
    const page = await inventoryBalances(db, filter, cut, { limit: 1000, ...(cursor ? { cursor } : {}) });
    balances.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return balances;
}

/** GET /inventory: a page of balances in canonical kilograms. */
export async function queryInventory(
  db: SqlReader,
  filter: InventoryFilter,
  cut: Bitemporal,
  page: PageRequest,
): Promise<Page<InventoryRow>> {
  const balances = await inventoryBalances(db, filter, cut, page);
  return { items: balances.items.map(toInventoryRow), nextCursor: balances.nextCursor };
}
