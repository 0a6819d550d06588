export * from './stockpile.commands';
export * from './stockpile.events';
export { stockpileDecider } from './stockpile.decide';
export { STOCKPILE_STREAMS, stockpileStreamId } from './stockpile.stream';
export { type StockpileState, initialStockpileState, stockpileParticipantCountries } from './stockpile.state';
