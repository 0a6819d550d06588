import { assertNever } from '../shared/decider';
import { emptyIdSet, type PersistentIdSet, withId } from '../shared/persistent-id-set';
import { listToArray, type PersistentList, prepend } from '../shared/persistent-list';
import type { Instant } from '../values/instant';
import { storedGrams } from '../values/quantity';
import type { StockpileEvent, StockpileParticipant } from './stockpile.events';

/** One change of an on-hand balance, at the effective time it happened. */
export interface StockMovement {
  effectiveAt: Instant;
  grams: bigint;
}

export type StockpileState =
  | { status: 'unknown' }
  | {
      status: 'established';
      stockpileId: string;
      /** when the stockpile began: no stock may move before it */
      establishedAt: Instant;
      participants: StockpileParticipant[];
      /** ids already used in this stockpile (`lot:<id>`, ...), so a duplicated id is refused */
      usedIds: PersistentIdSet;
      /** movements per balance key (see `balanceKey`), newest first */
      movements: ReadonlyMap<string, PersistentList<StockMovement>>;
    };

export const initialStockpileState: StockpileState = { status: 'unknown' };

/** Balances are kept per (material, location). */
export const balanceKey = (material: string, location: string): string =>
  JSON.stringify([material, location]);

function withMovement(
  movements: ReadonlyMap<string, PersistentList<StockMovement>>,
  key: string,
  movement: StockMovement,
): Map<string, PersistentList<StockMovement>> {
  // Copies only the small map of balance keys; the movements themselves are shared.
  return new Map(movements).set(key, prepend(movements.get(key), movement));
}

export function evolveStockpile(state: StockpileState, event: StockpileEvent): StockpileState {
  if (event.type === 'StockpileEstablished') {
    return {
      status: 'established',
      stockpileId: event.data.stockpileId,
      establishedAt: event.effectiveAt,
      participants: event.data.participants,
      usedIds: emptyIdSet(),
      movements: new Map(),
    };
  }
  // Events for a stockpile always follow its establishment; anything else is a corrupt stream, so ignore it.
  if (state.status !== 'established') return state;

  const { effectiveAt } = event;
  switch (event.type) {
    case 'StockpileAcquired': {
      const grams = storedGrams(event.data.quantity);
      return {
        ...state,
        usedIds: withId(state.usedIds, `lot:${event.data.lotId}`),
        movements: withMovement(state.movements, balanceKey(event.data.material, event.data.location), {
          effectiveAt,
          grams,
        }),
      };
    }
    case 'StockpileReleased': {
      const grams = storedGrams(event.data.quantity);
      return {
        ...state,
        usedIds: withId(state.usedIds, `release:${event.data.releaseId}`),
        movements: withMovement(state.movements, balanceKey(event.data.material, event.data.location), {
          effectiveAt,
          grams: -grams,
        }),
      };
    }
    case 'StockTransferred': {
      const grams = storedGrams(event.data.quantity);
      const out = withMovement(state.movements, balanceKey(event.data.material, event.data.fromLocation), {
        effectiveAt,
        grams: -grams,
      });
      return {
        ...state,
        usedIds: withId(state.usedIds, `transfer:${event.data.transferId}`),
        movements: withMovement(out, balanceKey(event.data.material, event.data.toLocation), {
          effectiveAt,
          grams,
        }),
      };
    }
    default:
      return assertNever(event);
  }
}

/**
 * The lowest balance from `from` onwards: the balance at `from` itself and after every later movement.
 * A withdrawal of q at `from` keeps every balance ≥ 0 exactly when this minimum is ≥ q, which is how a
 * back-dated release that a later release already relied on gets caught.
 */
export function lowestBalanceFrom(movements: PersistentList<StockMovement>, from: Instant): bigint {
  const ordered = listToArray(movements).sort((a, b) =>
    a.effectiveAt < b.effectiveAt ? -1 : a.effectiveAt > b.effectiveAt ? 1 : 0,
  );
  let balance = 0n;
  let index = 0;
  while (index < ordered.length && ordered[index]!.effectiveAt <= from) {
    balance += ordered[index]!.grams;
    index += 1;
  }
  let lowest = balance;
  // Movements at one instant count together: a balance is observed only between distinct instants.
  while (index < ordered.length) {
    const instant = ordered[index]!.effectiveAt;
    while (index < ordered.length && ordered[index]!.effectiveAt === instant) {
      balance += ordered[index]!.grams;
      index += 1;
    }
    if (balance < lowest) lowest = balance;
  }
  return lowest;
}

/** Countries whose recorders may act for this stockpile: its participants. */
export const stockpileParticipantCountries = (state: StockpileState): string[] =>
  state.status === 'established' ? state.participants.map((participant) => participant.country) : [];
