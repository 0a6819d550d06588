import type { Country } from '../values/country';
import type { Instant } from '../values/instant';
import type { Material } from '../values/material';
import type { Money } from '../values/money';
import type { Quantity } from '../values/quantity';

/**
 * Commands arrive with values already parsed (Quantity, Country, ...) and with everything the domain
 * must not invent itself: the new ids, the effective time and the moment of recording (`now`).
 */
interface StockpileCommandBase {
  stockpileId: string;
  effectiveAt: Instant;
  /** the edge's clock when the command arrived: movements of stock cannot be effective after it */
  now: Instant;
}

export interface EstablishStockpile extends StockpileCommandBase {
  type: 'EstablishStockpile';
  name: string;
  custodian: string;
  participants: { country: Country; sharePercent: string }[];
}

export interface AcquireStock extends StockpileCommandBase {
  type: 'AcquireStock';
  lotId: string;
  material: Material;
  quantity: Quantity;
  location: string;
  originCountry: Country;
  cost?: Money;
}

export interface ReleaseStock extends StockpileCommandBase {
  type: 'ReleaseStock';
  releaseId: string;
  material: Material;
  quantity: Quantity;
  location: string;
  recipient: string;
  recipientCountry: Country;
  reason: string;
  authorisationRef: string;
}

export interface TransferStock extends StockpileCommandBase {
  type: 'TransferStock';
  transferId: string;
  material: Material;
  quantity: Quantity;
  fromLocation: string;
  toLocation: string;
}

export type StockpileCommand = EstablishStockpile | AcquireStock | ReleaseStock | TransferStock;
