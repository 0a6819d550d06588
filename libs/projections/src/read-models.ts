import { inventoryReadModel } from './inventory/inventory.projection';
import { projectsReadModel } from './projects/projects.projection';
import type { ReadModel } from './read-model';
import { restrictionsReadModel } from './restrictions/restrictions.projection';
import { stockpilesReadModel } from './stockpiles/stockpiles.projection';
import { supplyReadModel } from './supply/supply.projection';

/** Every read model of the ledger, in the order the projector writes them. */
export const READ_MODELS: readonly ReadModel[] = [
  stockpilesReadModel,
  inventoryReadModel,
  supplyReadModel,
  restrictionsReadModel,
  projectsReadModel,
] as readonly ReadModel[];
