import { assertNever, type Decider } from '../shared/decider';
import { invalidValue, ruleBroken } from '../shared/domain-error';
import type { Country } from '../values/country';
import { MAX_YEAR, MIN_YEAR } from '../values/instant';
import type { SupplyCommand } from './supply.commands';
import type { SupplyEvent } from './supply.events';
import { evolveSupply, initialSupplyState, type SupplyState } from './supply.state';

function requireYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw invalidValue('year', `year must be a whole year between ${MIN_YEAR} and ${MAX_YEAR}`);
  }
}

function decideSupply(command: SupplyCommand, _state: SupplyState): SupplyEvent[] {
  const { effectiveAt } = command;
  switch (command.type) {
    case 'RecordTradeFlow': {
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
          effectiveAt,
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
    case 'RecordConsumption': {
      requireYear(command.year);
      return [
        {
          type: 'ConsumptionRecorded',
          effectiveAt,
          data: {
            country: command.country,
            material: command.material,
            year: command.year,
            annualQuantity: command.annualQuantity.toJSON(),
          },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

export const supplyDecider: Decider<SupplyCommand, SupplyEvent, SupplyState> = {
  initialState: initialSupplyState,
  evolve: evolveSupply,
  decide: decideSupply,
};

/** The stream of one country's supply statistics: the importing or consuming country's. */
export const supplyStreamId = (country: string): string => `supply-${country}`;

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
