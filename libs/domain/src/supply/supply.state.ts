import { assertNever } from '../shared/decider';
import type { SupplyEvent } from './supply.events';

/**
 * No rule looks back at earlier statistics (a later record simply supersedes an earlier one in the read
 * models), so the state only remembers whose stream this is.
 */
export type SupplyState = { status: 'empty' } | { status: 'recording'; country: string };

export const initialSupplyState: SupplyState = { status: 'empty' };

export function evolveSupply(state: SupplyState, event: SupplyEvent): SupplyState {
  if (state.status === 'recording') return state;
  switch (event.type) {
    case 'TradeFlowRecorded':
      return { status: 'recording', country: event.data.importer };
    case 'ConsumptionRecorded':
      return { status: 'recording', country: event.data.country };
    default:
      return assertNever(event);
  }
}
