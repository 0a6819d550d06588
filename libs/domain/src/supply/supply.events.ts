import type { DomainEvent } from '../shared/decider';
import type { QuantityDto } from '../values/quantity';

/**
 * Stored facts of the Supply statistics aggregate. Never renamed once stored; a new shape gets a new schema
 * version. A later record for the same key revises the earlier one; both stay in the log, so a report
 * known at an earlier time still sees the old figure.
 */

export type TradeFlowRecorded = DomainEvent<
  'TradeFlowRecorded',
  { importer: string; exporter: string; material: string; year: number; annualQuantity: QuantityDto }
>;

export type ConsumptionRecorded = DomainEvent<
  'ConsumptionRecorded',
  { country: string; material: string; year: number; annualQuantity: QuantityDto }
>;

export type SupplyEvent = TradeFlowRecorded | ConsumptionRecorded;

export const SUPPLY_EVENT_TYPES: readonly SupplyEvent['type'][] = [
  'TradeFlowRecorded',
  'ConsumptionRecorded',
];
