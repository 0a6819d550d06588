export * from './bitemporal';
export * from './projection';
export * from './read-model-progress';
export * from './sqlite-projector';
export * from './inventory/inventory.projection';
export * from './inventory/inventory.queries';
export * from './stockpiles/stockpiles.projection';
export * from './stockpiles/stockpiles.queries';

import { inventoryReadModel } from './inventory/inventory.projection';
import type { SqliteReadModel } from './projection';
import { stockpilesReadModel } from './stockpiles/stockpiles.projection';

/** Every read model the embedded store keeps, in the order the projector writes them. */
export const SQLITE_READ_MODELS: SqliteReadModel[] = [
  stockpilesReadModel as SqliteReadModel,
  inventoryReadModel as SqliteReadModel,
];
