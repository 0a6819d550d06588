import type { Country } from '../values/country';
import type { Instant } from '../values/instant';
import type { Material } from '../values/material';
import type { Quantity } from '../values/quantity';

/**
 * Commands arrive with values already parsed (Quantity, Country, ...) and with the effective time. The
 * stream is the importing or consuming country's (`supplyStreamId(supplyCountryOf(command))`).
 */
interface SupplyCommandBase {
  effectiveAt: Instant;
}

export interface RecordTradeFlow extends SupplyCommandBase {
  type: 'RecordTradeFlow';
  importer: Country;
  exporter: Country;
  material: Material;
  /** the calendar year the statistic covers */
  year: number;
  annualQuantity: Quantity;
}

export interface RecordConsumption extends SupplyCommandBase {
  type: 'RecordConsumption';
  country: Country;
  material: Material;
  year: number;
  annualQuantity: Quantity;
}

export type SupplyCommand = RecordTradeFlow | RecordConsumption;
