export * from './supply.commands';
export * from './supply.events';
export { supplyCountryOf, supplyDecider, supplyStreamId } from './supply.decide';
export { type SupplyState, initialSupplyState } from './supply.state';
