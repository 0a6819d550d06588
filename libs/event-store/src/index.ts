export * from './canonical-json';
export * from './command-handler';
export * from './event-envelope';
export * from './event-ids';
export * from './event-store.port';
export * from './upcasting';
export * from './sqlite/sqlite-database';
export * from './sqlite/sqlite-event-store';
