import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import type { LedgerConfig } from './config/ledger-config';
import { InventoryController } from './inventory/inventory.controller';
import { LedgerModule } from './ledger/ledger.module';
import { OperationsController } from './operations/operations.controller';
import { ProblemDetailsFilter } from './problems/problem-details.filter';
import { ReadModelGate } from './reports/report-query';
import { StockpilesController } from './stockpiles/stockpiles.controller';

@Module({})
export class AppModule {
  static forConfig(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [LedgerModule.forConfig(config)],
      controllers: [StockpilesController, InventoryController, OperationsController],
      providers: [
        ReadModelGate,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
