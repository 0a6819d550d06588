import { assertNever, type Decider } from '../shared/decider';
import { alreadyExists, invalidValue, notFound, ruleBroken } from '../shared/domain-error';
import { idSetHas } from '../shared/persistent-id-set';
import { requireHappened, requireNotBefore } from '../shared/time-rules';
import { formatScaledDecimal, parseScaledDecimal } from '../values/decimal';
import type { Instant } from '../values/instant';
import { gramsToKilograms } from '../values/quantity';
import type {
  AcquireStock,
  EstablishStockpile,
  ReleaseStock,
  StockpileCommand,
  TransferStock,
} from './stockpile.commands';
import type { StockpileEvent } from './stockpile.events';
import {
  balanceKey,
  evolveStockpile,
  initialStockpileState,
  lowestBalanceFrom,
  type StockpileState,
} from './stockpile.state';

/** Shares are kept to four decimal places; they must add up to exactly 100. */
const SHARE_SCALE = 4;
const HUNDRED_PERCENT = 100n * 10n ** BigInt(SHARE_SCALE);

type Established = Extract<StockpileState, { status: 'established' }>;

/**
 * Every movement of stock needs an established stockpile, an id not used before in it, and a time that is
 * neither before the stockpile began nor after the movement is recorded.
 */
function requireMovable(
  state: StockpileState,
  command: AcquireStock | ReleaseStock | TransferStock,
  idKind: string,
  id: string,
): Established {
  if (state.status !== 'established') throw notFound('stockpile', command.stockpileId);
  if (idSetHas(state.usedIds, `${idKind}:${id}`)) throw alreadyExists(idKind, id);
  requireNotBefore(command.effectiveAt, state.establishedAt, `stock of stockpile ${command.stockpileId}`);
  requireHappened(command.effectiveAt, command.now, `a movement of stock`);
  return state;
}

/** The balance of (material, location) stays ≥ 0 at every effective time, also after a back-dated withdrawal. */
function requireStockOnHand(
  state: Established,
  material: string,
  location: string,
  grams: bigint,
  at: Instant,
): void {
  const available = lowestBalanceFrom(state.movements.get(balanceKey(material, location)), at);
  if (available < grams) {
    throw ruleBroken(
      'insufficient-stock',
      `releasing ${gramsToKilograms(grams)} kg of ${material} at ${location} on ${at} would leave a negative balance ` +
        `(at most ${gramsToKilograms(available > 0n ? available : 0n)} kg can leave then without overdrawing a later date)`,
    );
  }
}

/** Shares stored canonically ("50.0" → "50"), like quantities, so equal facts are equal bytes. */
function canonicalShares(participants: EstablishStockpile['participants']): string[] {
  if (participants.length === 0) {
    throw invalidValue('participants', 'a stockpile needs at least one participant');
  }
  const seen = new Set<string>();
  let total = 0n;
  const shares = participants.map((participant, index) => {
    const field = `participants[${index}].sharePercent`;
    if (seen.has(participant.country)) {
      throw ruleBroken('duplicate-participant', `${participant.country} takes part more than once`);
    }
    seen.add(participant.country);
    const share = parseScaledDecimal(participant.sharePercent, SHARE_SCALE, field);
    if (share <= 0n || share > HUNDRED_PERCENT) {
      throw invalidValue(field, `${field} must be above 0 and at most 100`);
    }
    total += share;
    return formatScaledDecimal(share, SHARE_SCALE);
  });
  if (total !== HUNDRED_PERCENT) {
    throw ruleBroken('shares-not-100', 'participants’ shares must add up to exactly 100');
  }
  return shares;
}

function establishStockpile(command: EstablishStockpile, state: StockpileState): StockpileEvent[] {
  if (state.status !== 'unknown') throw alreadyExists('stockpile', command.stockpileId);
  const shares = canonicalShares(command.participants);
  return [
    {
      type: 'StockpileEstablished',
      effectiveAt: command.effectiveAt,
      data: {
        stockpileId: command.stockpileId,
        name: command.name,
        custodian: command.custodian,
        participants: command.participants.map(({ country }, index) => ({
          country,
          sharePercent: shares[index]!,
        })),
      },
    },
  ];
}

function acquireStock(command: AcquireStock, state: StockpileState): StockpileEvent[] {
  requireMovable(state, command, 'lot', command.lotId);
  return [
    {
      type: 'StockpileAcquired',
      effectiveAt: command.effectiveAt,
      data: {
        lotId: command.lotId,
        material: command.material,
        quantity: command.quantity.toJSON(),
        location: command.location,
        originCountry: command.originCountry,
        ...(command.cost ? { cost: command.cost.toJSON() } : {}),
      },
    },
  ];
}

function releaseStock(command: ReleaseStock, state: StockpileState): StockpileEvent[] {
  const stockpile = requireMovable(state, command, 'release', command.releaseId);
  requireStockOnHand(
    stockpile,
    command.material,
    command.location,
    command.quantity.grams,
    command.effectiveAt,
  );
  return [
    {
      type: 'StockpileReleased',
      effectiveAt: command.effectiveAt,
      data: {
        releaseId: command.releaseId,
        material: command.material,
        quantity: command.quantity.toJSON(),
        location: command.location,
        recipient: command.recipient,
        recipientCountry: command.recipientCountry,
        reason: command.reason,
        authorisationRef: command.authorisationRef,
      },
    },
  ];
}

function transferStock(command: TransferStock, state: StockpileState): StockpileEvent[] {
  const stockpile = requireMovable(state, command, 'transfer', command.transferId);
  if (command.fromLocation === command.toLocation) {
    throw ruleBroken('same-location', 'a transfer must move stock between two different locations');
  }
  requireStockOnHand(
    stockpile,
    command.material,
    command.fromLocation,
    command.quantity.grams,
    command.effectiveAt,
  );
  return [
    {
      type: 'StockTransferred',
      effectiveAt: command.effectiveAt,
      data: {
        transferId: command.transferId,
        material: command.material,
        quantity: command.quantity.toJSON(),
        fromLocation: command.fromLocation,
        toLocation: command.toLocation,
      },
    },
  ];
}

function decideStockpile(command: StockpileCommand, state: StockpileState): StockpileEvent[] {
  switch (command.type) {
    case 'EstablishStockpile':
      return establishStockpile(command, state);
    case 'AcquireStock':
      return acquireStock(command, state);
    case 'ReleaseStock':
      return releaseStock(command, state);
    case 'TransferStock':
      return transferStock(command, state);
    default:
      return assertNever(command);
  }
}

export const stockpileDecider: Decider<StockpileCommand, StockpileEvent, StockpileState> = {
  initialState: initialStockpileState,
  evolve: evolveStockpile,
  decide: decideStockpile,
};
