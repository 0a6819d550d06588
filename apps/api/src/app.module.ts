import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditController } from './audit/audit.controller';
import { StreamsController } from './audit/streams.controller';
import { AuthGuard } from './auth/auth.guard';
import type { LedgerConfig } from './config/ledger-config';
import { InventoryController } from './inventory/inventory.controller';
import { LedgerModule } from './ledger/ledger.module';
import { OperationsController } from './operations/operations.controller';
import { ProblemDetailsFilter } from './problems/problem-details.filter';
import { ReadModelGate } from './reports/report-query';
import { ReportsController } from './reports/reports.controller';
import { StockpilesController } from './stockpiles/stockpiles.controller';
import { ProjectsController } from './projects/projects.controller';
import { ExportRestrictionsController } from './export-restrictions/export-restrictions.controller';
import { SupplyController } from './supply/supply.controller';

@Module({})
export class AppModule {
  static forConfig(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [LedgerModule.forConfig(config)],
      controllers: [
        StockpilesController,
        ProjectsController,
        ExportRestrictionsController,
        SupplyController,
        InventoryController,
        OperationsController,
        ReportsController,
        AuditController,
        StreamsController,
      ],
      providers: [
        ReadModelGate,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
