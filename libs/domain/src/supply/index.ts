export * from './supply.commands';
export * from './supply.events';
export { supplyCountryOf, supplyDecider } from './supply.decide';
export { SUPPLY_STREAMS, supplyStreamId } from './supply.stream';
export { type SupplyState, initialSupplyState } from './supply.state';
