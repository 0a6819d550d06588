import { assertNever, type Decider } from '../shared/decider';
import { alreadyExists, invalidValue, notFound, ruleBroken } from '../shared/domain-error';
import { listIncludes } from '../shared/persistent-list';
import { formatScaledDecimal, parseScaledDecimal } from '../values/decimal';
import { gramsToKilograms } from '../values/quantity';
import type { StockpileCommand } from './stockpile.commands';
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

function requireEstablished(state: StockpileState, stockpileId: string): Established {
  if (state.status !== 'established') throw notFound('stockpile', stockpileId);
  return state;
}

function requireUnusedId(state: Established, kind: string, id: string): void {
  if (listIncludes(state.usedIds, `${kind}:${id}`)) throw alreadyExists(kind, id);
}

function requireStockOnHand(
  state: Established,
  material: string,
  location: string,
  grams: bigint,
  at: StockpileEvent['effectiveAt'],
): void {
  const movements = state.movements.get(balanceKey(material, location));
  const available = lowestBalanceFrom(movements, at);
  if (available < grams) {
    throw ruleBroken(
      'insufficient-stock',
      `releasing ${gramsToKilograms(grams)} kg of ${material} at ${location} on ${at} would leave a negative balance ` +
        `(at most ${gramsToKilograms(available > 0n ? available : 0n)} kg can leave then without overdrawing a later date)`,
    );
  }
}

function decideStockpile(command: StockpileCommand, state: StockpileState): StockpileEvent[] {
  const { effectiveAt } = command;
  switch (command.type) {
    case 'EstablishStockpile': {
      if (state.status !== 'unknown') throw alreadyExists('stockpile', command.stockpileId);
      if (command.participants.length === 0) {
        throw invalidValue('participants', 'a stockpile needs at least one participant');
      }
      const seen = new Set<string>();
      let total = 0n;
      const canonicalShares: string[] = [];
      command.participants.forEach((participant, index) => {
        const field = `participants[${index}]`;
        if (seen.has(participant.country)) {
          throw ruleBroken('duplicate-participant', `${participant.country} takes part more than once`);
        }
        seen.add(participant.country);
        const share = parseScaledDecimal(participant.sharePercent, SHARE_SCALE, `${field}.sharePercent`);
        if (share <= 0n || share > HUNDRED_PERCENT) {
          throw invalidValue(
            `${field}.sharePercent`,
            `${field}.sharePercent must be above 0 and at most 100`,
          );
        }
        total += share;
        canonicalShares.push(formatScaledDecimal(share, SHARE_SCALE));
      });
      if (total !== HUNDRED_PERCENT) {
        throw ruleBroken('shares-not-100', 'participants’ shares must add up to exactly 100');
      }
      return [
        {
          type: 'StockpileEstablished',
          effectiveAt,
          data: {
            stockpileId: command.stockpileId,
            name: command.name,
            custodian: command.custodian,
            // shares stored canonically ("50.0" → "50"), like quantities, so equal facts are equal bytes
            participants: command.participants.map(({ country }, index) => ({
              country,
              sharePercent: canonicalShares[index]!,
            })),
          },
        },
      ];
    }
    case 'AcquireStock': {
      const established = requireEstablished(state, command.stockpileId);
      requireUnusedId(established, 'lot', command.lotId);
      return [
        {
          type: 'StockpileAcquired',
          effectiveAt,
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
    case 'ReleaseStock': {
      const established = requireEstablished(state, command.stockpileId);
      requireUnusedId(established, 'release', command.releaseId);
      requireStockOnHand(
        established,
        command.material,
        command.location,
        command.quantity.grams,
        effectiveAt,
      );
      return [
        {
          type: 'StockpileReleased',
          effectiveAt,
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
    case 'TransferStock': {
      const established = requireEstablished(state, command.stockpileId);
      requireUnusedId(established, 'transfer', command.transferId);
      if (command.fromLocation === command.toLocation) {
        throw ruleBroken('same-location', 'a transfer must move stock between two different locations');
      }
      requireStockOnHand(
        established,
        command.material,
        command.fromLocation,
        command.quantity.grams,
        effectiveAt,
      );
      return [
        {
          type: 'StockTransferred',
          effectiveAt,
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
    default:
      return assertNever(command);
  }
}

export const stockpileDecider: Decider<StockpileCommand, StockpileEvent, StockpileState> = {
  initialState: initialStockpileState,
  evolve: evolveStockpile,
  decide: decideStockpile,
};

/** The stream of one stockpile. Categories carry no dashes, so the id after the first dash is the entity's. */
export const stockpileStreamId = (stockpileId: string): string => `stockpile-${stockpileId}`;

/** Countries whose recorders may act for this stockpile. */
export const stockpileParticipantCountries = (state: StockpileState): string[] =>
  state.status === 'established' ? state.participants.map((participant) => participant.country) : [];
