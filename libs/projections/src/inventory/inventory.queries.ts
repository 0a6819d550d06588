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

/**
 * What a page reads of a balance row, as an array (`tuples`): a page of 1,000 balances spends a third of
 * its time making row objects otherwise. The first_* columns only filter, so they stay in the database.
 */
type BalanceRecord = [
  stockpileId: string,
  material: string,
  location: string,
  acquired: unknown,
  released: unknown,
  transferredIn: unknown,
  transferredOut: unknown,
  lastPosition: unknown,
  lastRecordedAt: string,
  lastEffectiveAt: string,
];
const BALANCE_RECORD_COLUMNS =
  'stockpile_id, material, location, acquired, released, transferred_in, transferred_out, ' +
  'last_position, last_recorded_at, last_effective_at';

const KINDS = Object.keys(BALANCE_COLUMNS) as MovementKind[];
// Length-prefixed, so no two keys collide whatever the parts hold; cheaper than JSON.stringify of an array.
const keyOf = (stockpileId: string, material: string, location: string) =>
  `${stockpileId.length}:${stockpileId}${material.length}:${material}${location}`;

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
    const fetched = await db.tuples<BalanceRecord>(
      `SELECT ${BALANCE_RECORD_COLUMNS} FROM inventory_balances
        WHERE ${clauses.join(' AND ')} ${after ? 'AND (stockpile_id, material, location) > (?, ?, ?)' : ''}
        ORDER BY stockpile_id, material, location LIMIT ?`,
      [...params, ...(after ?? []), wanted + 1],
    );
    const batch = fetched.slice(0, wanted);
    // in key order; a balance with no movement inside the cut has no row
    for (const balance of await balancesAt(db, batch, cut)) if (balance) items.push(balance);
    if (fetched.length <= wanted) return { items, nextCursor: null };
    const last = batch[batch.length - 1]!;
    after = [last[0], last[1], last[2]];
    if (items.length >= page.limit) return { items, nextCursor: encodeCursor(after) };
  }
}

/**
 * The totals of each balance at the cut, in the order of `rows`: its running totals when they lie wholly
 * inside, else summed (undefined when no movement of it lies inside).
 */
async function balancesAt(
  db: SqlReader,
  rows: BalanceRecord[],
  cut: Bitemporal,
): Promise<(BalanceGrams | undefined)[]> {
  const balances: (BalanceGrams | undefined)[] = [];
  const slow = new Map<string, number>();
  const slowRows: BalanceRecord[] = [];
  for (const row of rows) {
    const [
      stockpileId,
      material,
      location,
      acquired,
      released,
      transferredIn,
      transferredOut,
      lastPosition,
      lastRecordedAt,
      lastEffectiveAt,
    ] = row;
    const everyMovementInside =
      lastEffectiveAt <= cut.asOf &&
      knownBy(cut, { position: toBigInt(lastPosition), recordedAt: lastRecordedAt });
    if (!everyMovementInside) {
      slow.set(keyOf(stockpileId, material, location), balances.length);
      slowRows.push(row);
      balances.push(undefined);
      continue;
    }
    balances.push({
      stockpileId,
      material,
      location,
      totals: {
        acquired: toBigInt(acquired),
        released: toBigInt(released),
        transferredIn: toBigInt(transferredIn),
        transferredOut: toBigInt(transferredOut),
      },
    });
  }
  if (slowRows.length === 0) return balances;
  const known = knownAtCondition(cut);
  const tuples = paddedTuples(slowRows);
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
    [...tuples.flatMap((row) => [row[0], row[1], row[2]]), cut.asOf, ...known.params],
  );
  for (const sum of sums) {
    const index = slow.get(keyOf(sum.stockpile_id, sum.material, sum.location));
    if (index === undefined) continue;
    const balance = (balances[index] ??= {
      stockpileId: sum.stockpile_id,
      material: sum.material,
      location: sum.location,
      totals: { acquired: 0n, released: 0n, transferredIn: 0n, transferredOut: 0n },
    });
    const kind = KINDS.find((candidate) => candidate === sum.kind);
    if (kind) balance.totals[kind] += toBigInt(sum.grams);
  }
  return balances;
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
