import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditController } from './audit/audit.controller';
import { AuditTrail } from './audit/audit-trail';
import { StreamsController } from './audit/streams.controller';
import { AuthGuard } from './auth/auth.guard';
import type { LedgerConfig } from './config/ledger-config';
import { InventoryController } from './inventory/inventory.controller';
import { OperationsController } from './operations/operations.controller';
import { ProblemDetailsFilter } from './problems/problem-details.filter';
import { ExposureController } from './exposure/exposure.controller';
import { FeedController } from './feed/feed.controller';
import { FeedService } from './feed/feed.service';
import { FinancingController } from './financing/financing.controller';
import { ReportCuts } from './queries/report-query';
import { WiringModule } from './wiring/wiring.module';
import { StockpilesController } from './stockpiles/stockpiles.controller';
import { ProjectsController } from './projects/projects.controller';
import { ExportRestrictionsController } from './export-restrictions/export-restrictions.controller';
import { SupplyController } from './supply/supply.controller';
import { WebAppController } from './web/web-app.controller';

@Module({})
export class AppModule {
  static forConfig(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [WiringModule.forConfig(config)],
      controllers: [
        StockpilesController,
        ProjectsController,
        ExportRestrictionsController,
        SupplyController,
        InventoryController,
        OperationsController,
        ExposureController,
        FinancingController,
        AuditController,
        StreamsController,
        WebAppController,
        FeedController,
      ],
      providers: [
        ReportCuts,
        AuditTrail,
        FeedService,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
