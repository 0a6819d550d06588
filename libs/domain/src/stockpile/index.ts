export * from './stockpile.commands';
export * from './stockpile.events';
export { stockpileDecider, stockpileParticipantCountries, stockpileStreamId } from './stockpile.decide';
export { type StockpileState, initialStockpileState } from './stockpile.state';
