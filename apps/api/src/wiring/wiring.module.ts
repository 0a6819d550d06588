import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandHandler } from '@ledger/event-store';
import { createProjector, type LedgerStores, ledgerQueries } from '@ledger/projections';
import { ApiKeyRegistry, ensureDefaultKeyFile } from '../auth/api-keys';
import { CommandRunner } from '../commands/command-runner';
import type { LedgerConfig } from '../config/ledger-config';
import { LedgerMetrics } from '../observability/ledger-metrics';
import {
  EVENT_STORE,
  EXPOSURE_QUERIES,
  FINANCING_QUERIES,
  INVENTORY_QUERIES,
  LEDGER_CONFIG,
  PROJECT_QUERIES,
  PROJECTOR,
  READ_MODEL_STORE,
  RESTRICTION_QUERIES,
  STOCKPILE_QUERIES,
  SUPPLY_QUERIES,
} from './tokens';

const STORES = Symbol('STORES');

/**
 * The ledger's parts, wired once for the whole app: the event store and the read-model store the
 * configuration names, the command handler, the query ports of every slice, and the projector. In the
 * default mode this process takes part in the election for the store's projector lock (alone on the
 * embedded file, it always wins); with LEDGER_PROJECTOR=external it leaves projecting to apps/projector.
 */
@Global()
@Module({})
export class WiringModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Ledger');

  static forConfig(config: LedgerConfig): DynamicModule {
    const projectorLogger = new Logger('Projector');
    const fromStores = <T>(pick: (stores: LedgerStores) => T) => ({
      inject: [STORES],
      useFactory: (stores: LedgerStores) => pick(stores),
    });
    return {
      module: WiringModule,
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        {
          provide: STORES,
          useFactory: () =>
            createProjector(config, {
              logger: {
                log: (message) => projectorLogger.log(message),
                warn: (message) => projectorLogger.warn(message),
                error: (message) => projectorLogger.error(message),
              },
            }),
        },
        { provide: EVENT_STORE, ...fromStores((stores) => stores.events) },
        { provide: READ_MODEL_STORE, ...fromStores((stores) => stores.readModels) },
        { provide: PROJECTOR, ...fromStores((stores) => stores.projector) },
        { provide: CommandHandler, ...fromStores((stores) => new CommandHandler(stores.events)) },
        ...(
          [
            [INVENTORY_QUERIES, 'inventory'],
            [STOCKPILE_QUERIES, 'stockpiles'],
            [PROJECT_QUERIES, 'projects'],
            [RESTRICTION_QUERIES, 'restrictions'],
            [SUPPLY_QUERIES, 'supply'],
            [EXPOSURE_QUERIES, 'exposure'],
            [FINANCING_QUERIES, 'financing'],
          ] as const
        ).map(([token, slice]) => ({
          provide: token,
          ...fromStores((stores) => ledgerQueries(stores.readModels.reader)[slice]),
        })),
        {
          provide: ApiKeyRegistry,
          useFactory: () => {
            if (config.apiKeysFile) return ApiKeyRegistry.fromFile(config.apiKeysFile);
            const { file, createdAdminKey } = ensureDefaultKeyFile(config.dataDir);
            if (createdAdminKey) {
              // Printed once, on the first start only: the operator needs it to create the other keys.
              new Logger('ApiKeys').log(
                `created ${file} with one admin key; use: Authorization: Bearer ${createdAdminKey}`,
              );
            }
            return ApiKeyRegistry.fromFile(file);
          },
        },
        LedgerMetrics,
        CommandRunner,
      ],
      exports: [
        LEDGER_CONFIG,
        EVENT_STORE,
        READ_MODEL_STORE,
        PROJECTOR,
        CommandHandler,
        INVENTORY_QUERIES,
        STOCKPILE_QUERIES,
        PROJECT_QUERIES,
        RESTRICTION_QUERIES,
        SUPPLY_QUERIES,
        EXPOSURE_QUERIES,
        FINANCING_QUERIES,
        ApiKeyRegistry,
        LedgerMetrics,
        CommandRunner,
      ],
    };
  }

  constructor(
    @Inject(STORES) private readonly stores: LedgerStores,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.projector === 'in-process') this.stores.projector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stores.close();
    this.logger.log('stores closed');
  }
}
