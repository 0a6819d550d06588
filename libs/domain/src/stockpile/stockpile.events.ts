import type { DomainEvent } from '../shared/decider';
import type { MoneyDto } from '../values/money';
import type { QuantityDto } from '../values/quantity';

/** Stored facts of the Stockpile aggregate. Never renamed once stored; a new shape gets a new schema version. */

export interface StockpileParticipant {
  country: string;
  /** a decimal string, up to four places; the participants' shares sum to exactly 100 */
  sharePercent: string;
}

export type StockpileEstablished = DomainEvent<
  'StockpileEstablished',
  { stockpileId: string; name: string; custodian: string; participants: StockpileParticipant[] }
>;

export type StockpileAcquired = DomainEvent<
  'StockpileAcquired',
  {
    lotId: string;
    material: string;
    quantity: QuantityDto;
    location: string;
    originCountry: string;
    cost?: MoneyDto;
  }
>;

export type StockpileReleased = DomainEvent<
  'StockpileReleased',
  {
    releaseId: string;
    material: string;
    quantity: QuantityDto;
    location: string;
    recipient: string;
    recipientCountry: string;
    reason: string;
    authorisationRef: string;
  }
>;

export type StockTransferred = DomainEvent<
  'StockTransferred',
  { transferId: string; material: string; quantity: QuantityDto; fromLocation: string; toLocation: string }
>;

export type StockpileEvent = StockpileEstablished | StockpileAcquired | StockpileReleased | StockTransferred;

export const STOCKPILE_EVENT_TYPES: readonly StockpileEvent['type'][] = [
  'StockpileEstablished',
  'StockpileAcquired',
  'StockpileReleased',
  'StockTransferred',
];
