export * from './bitemporal';
export * from './checkpoints';
export * from './projection';
export * from './read-model-progress';
export * from './rebuild';
export * from './sqlite-projector';
export * from './inventory/inventory.projection';
export * from './inventory/inventory.queries';
export * from './stockpiles/stockpiles.projection';
export * from './stockpiles/stockpiles.queries';
export * from './supply/supply.projection';
export * from './restrictions/restrictions.projection';
export * from './restrictions/restrictions.queries';
export * from './projects/projects.projection';
export * from './projects/projects.queries';
export * from './exposure/exposure.queries';

import { inventoryReadModel } from './inventory/inventory.projection';
import type { SqliteReadModel } from './projection';
import { projectsReadModel } from './projects/projects.projection';
import { restrictionsReadModel } from './restrictions/restrictions.projection';
import { stockpilesReadModel } from './stockpiles/stockpiles.projection';
import { supplyReadModel } from './supply/supply.projection';

/** Every read model the embedded store keeps, in the order the projector writes them. */
export const SQLITE_READ_MODELS: SqliteReadModel[] = [
  stockpilesReadModel,
  inventoryReadModel,
  supplyReadModel,
  restrictionsReadModel,
  projectsReadModel,
] as SqliteReadModel[];
