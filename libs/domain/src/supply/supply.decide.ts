import { assertNever, type Decider } from '../shared/decider';
import { invalidValue, ruleBroken } from '../shared/domain-error';
import type { Country } from '../values/country';
import { MAX_YEAR, MIN_YEAR } from '../values/instant';
import type { RecordConsumption, RecordTradeFlow, SupplyCommand } from './supply.commands';
import type { SupplyEvent } from './supply.events';
import { evolveSupply, initialSupplyState, type SupplyState } from './supply.state';

function requireYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw invalidValue('year', `year must be a whole year between ${MIN_YEAR} and ${MAX_YEAR}`);
  }
}

/** importer ≠ exporter; a later record for the same key supersedes this one in the read models. */
function recordTradeFlow(command: RecordTradeFlow): SupplyEvent[] {
  requireYear(command.year);
  if (command.importer === command.exporter) {
    throw ruleBroken(
      'same-country',
      `a trade flow runs between two countries, not from ${command.exporter} to itself`,
    );
  }
  return [
    {
      type: 'TradeFlowRecorded',
      effectiveAt: command.effectiveAt,
      data: {
        importer: command.importer,
        exporter: command.exporter,
        material: command.material,
        year: command.year,
        annualQuantity: command.annualQuantity.toJSON(),
      },
    },
  ];
}

function recordConsumption(command: RecordConsumption): SupplyEvent[] {
  requireYear(command.year);
  return [
    {
      type: 'ConsumptionRecorded',
      effectiveAt: command.effectiveAt,
      data: {
        country: command.country,
        material: command.material,
        year: command.year,
        annualQuantity: command.annualQuantity.toJSON(),
      },
    },
  ];
}

/** No rule looks back at earlier statistics, so the state is not consulted. */
function decideSupply(command: SupplyCommand, _state: SupplyState): SupplyEvent[] {
  switch (command.type) {
    case 'RecordTradeFlow':
      return recordTradeFlow(command);
    case 'RecordConsumption':
      return recordConsumption(command);
    default:
      return assertNever(command);
  }
}

export const supplyDecider: Decider<SupplyCommand, SupplyEvent, SupplyState> = {
  initialState: initialSupplyState,
  evolve: evolveSupply,
  decide: decideSupply,
};

/** The country whose stream a supply command belongs to, and whose recorders may send it. */
export function supplyCountryOf(command: SupplyCommand): Country {
  switch (command.type) {
    case 'RecordTradeFlow':
      return command.importer;
    case 'RecordConsumption':
      return command.country;
    default:
      return assertNever(command);
  }
}
