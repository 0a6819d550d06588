import type { Bitemporal } from './bitemporal';
import type { Page, PageRequest } from './cursor';
import { type Exposure, queryExposure, queryExposureMaterials } from './exposure/exposure.queries';
import {
  type FinancingFilter,
  type FinancingGroup,
  type FinancingGrouping,
  financingReport,
} from './financing/financing.queries';
import { type InventoryFilter, type InventoryRow, queryInventory } from './inventory/inventory.queries';
import {
  listProjects,
  type OfftakeBookEntry,
  type ProjectFilter,
  type ProjectSummary,
  type ProjectView,
  queryOfftakeBook,
  queryProject,
} from './projects/projects.queries';
import {
  queryActiveRestrictions,
  queryRestriction,
  queryRestrictionTimeline,
  type RestrictionFilter,
  type RestrictionHistory,
  type RestrictionPeriod,
  type RestrictionView,
} from './restrictions/restrictions.queries';
import type { SqlReader } from './sql/sql.port';
import {
  listStockpiles,
  queryStockpile,
  type StockpileFilter,
  type StockpileListItem,
  type StockpileView,
} from './stockpiles/stockpiles.queries';
import { listStatistics, type StatisticFilter, type StatisticInForce } from './supply/supply.queries';

/*
 * The query ports: what each slice of the API (and the CLI's offline reports) may ask of the read models.
 * Every query takes the cut (asOf, knownAt); lists take a page. The implementations are the query
 * functions of each read model over any read-model store adapter.
 */

export interface InventoryQueries {
  inventory(filter: InventoryFilter, cut: Bitemporal, page: PageRequest): Promise<Page<InventoryRow>>;
}

export interface StockpileQueries {
  stockpile(stockpileId: string, cut: Bitemporal): Promise<StockpileView | undefined>;
  stockpiles(filter: StockpileFilter, cut: Bitemporal, page: PageRequest): Promise<Page<StockpileListItem>>;
}

export interface ProjectQueries {
  project(projectId: string, cut: Bitemporal): Promise<ProjectView | undefined>;
  projects(filter: ProjectFilter, cut: Bitemporal, page: PageRequest): Promise<Page<ProjectSummary>>;
  offtakeBook(
    projectId: string,
    material: string | undefined,
    cut: Bitemporal,
  ): Promise<{ projectId: string; asOf: string; materials: OfftakeBookEntry[] } | undefined>;
}

export interface RestrictionQueries {
  active(filter: RestrictionFilter, cut: Bitemporal): Promise<RestrictionView[]>;
  restriction(restrictionId: string, cut: Bitemporal): Promise<RestrictionHistory | undefined>;
  timeline(importer: string, material: string, cut: Bitemporal): Promise<RestrictionPeriod[]>;
}

export interface SupplyQueries {
  tradeFlows(filter: StatisticFilter, cut: Bitemporal, page: PageRequest): Promise<Page<StatisticInForce>>;
  consumption(filter: StatisticFilter, cut: Bitemporal, page: PageRequest): Promise<Page<StatisticInForce>>;
}

export interface ExposureQueries {
  exposure(country: string, material: string, cut: Bitemporal): Promise<Exposure>;
  materials(country: string, cut: Bitemporal): Promise<string[]>;
}

export interface FinancingQueries {
  financing(
    groupBy: FinancingGrouping,
    filter: FinancingFilter,
    cut: Bitemporal,
  ): Promise<{ groupBy: FinancingGrouping; asOf: string; groups: FinancingGroup[] }>;
}

export interface LedgerQueries {
  inventory: InventoryQueries;
  stockpiles: StockpileQueries;
  projects: ProjectQueries;
  restrictions: RestrictionQueries;
  supply: SupplyQueries;
  exposure: ExposureQueries;
  financing: FinancingQueries;
}

/** Every query port, answered from a read-model store's reader. */
export function ledgerQueries(db: SqlReader): LedgerQueries {
  return {
    inventory: { inventory: (filter, cut, page) => queryInventory(db, filter, cut, page) },
    stockpiles: {
      stockpile: (id, cut) => queryStockpile(db, id, cut),
      stockpiles: (filter, cut, page) => listStockpiles(db, filter, cut, page),
    },
    projects: {
      project: (id, cut) => queryProject(db, id, cut),
      projects: (filter, cut, page) => listProjects(db, filter, cut, page),
      offtakeBook: (id, material, cut) => queryOfftakeBook(db, id, material, cut),
    },
    restrictions: {
      active: (filter, cut) => queryActiveRestrictions(db, filter, cut),
      restriction: (id, cut) => queryRestriction(db, id, cut),
      timeline: (importer, material, cut) => queryRestrictionTimeline(db, importer, material, cut),
    },
    supply: {
      tradeFlows: (filter, cut, page) => listStatistics(db, 'trade', filter, cut, page),
      consumption: (filter, cut, page) => listStatistics(db, 'consumption', filter, cut, page),
    },
    exposure: {
      exposure: (country, material, cut) => queryExposure(db, country, material, cut),
      materials: (country, cut) => queryExposureMaterials(db, country, cut),
    },
    financing: { financing: (groupBy, filter, cut) => financingReport(db, groupBy, filter, cut) },
  };
}
