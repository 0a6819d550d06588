import {
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  CommandHandler,
  type EventStore,
  openSqliteDatabase,
  type SqliteDatabase,
  createEventStore,
  sqliteFileOf,
} from '@ledger/event-store';
import {
  type ReadModelProgress,
  SQLITE_READ_MODELS,
  SqliteProjector,
  StoredCheckpoints,
} from '@ledger/projections';
import { ApiKeyRegistry, ensureDefaultKeyFile } from '../auth/api-keys';
import { IdempotencyStore } from '../commands/idempotency.store';
import { CommandRunner } from '../commands/command-runner';
import type { LedgerConfig } from '../config/ledger-config';
import { LedgerMetrics } from '../operations/ledger-metrics';
import {
  EVENT_STORE,
  LEDGER_CONFIG,
  LEDGER_DATABASE,
  PROJECTION_DATABASE,
  READ_MODEL_PROGRESS,
} from './ledger.tokens';

/**
 * The ledger's parts, wired once: the embedded SQLite file holds events, read models, checkpoints and
 * idempotency records; the projector runs in this process and follows the log, unless LEDGER_PROJECTOR
 * says apps/projector does.
 */
@Global()
@Module({})
export class LedgerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Ledger');

  static forConfig(config: LedgerConfig) {
    return {
      module: LedgerModule,
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        {
          provide: LEDGER_DATABASE,
          useFactory: () => openSqliteDatabase(sqliteFileOf(config)),
        },
        {
          provide: EVENT_STORE,
          inject: [LEDGER_DATABASE],
          useFactory: (db: SqliteDatabase) => createEventStore(config, db),
        },
        {
          provide: CommandHandler,
          inject: [EVENT_STORE],
          useFactory: (store: EventStore) => new CommandHandler(store),
        },
        {
          provide: IdempotencyStore,
          inject: [LEDGER_DATABASE],
          useFactory: (db: SqliteDatabase) => new IdempotencyStore(db),
        },
        {
          // The projector writes through a connection of its own that does not fsync every commit.
          provide: PROJECTION_DATABASE,
          useFactory: () => openSqliteDatabase(sqliteFileOf(config), { synchronous: 'NORMAL' }),
        },
        {
          provide: READ_MODEL_PROGRESS,
          inject: [LEDGER_DATABASE, PROJECTION_DATABASE, EVENT_STORE],
          useFactory: (
            db: SqliteDatabase,
            projectionDb: SqliteDatabase,
            store: EventStore,
          ): ReadModelProgress => {
            const names = SQLITE_READ_MODELS.map((model) => model.name);
            if (config.projector === 'external') return new StoredCheckpoints(db, names);
            const logger = new Logger('Projector');
            return new SqliteProjector(projectionDb, store, SQLITE_READ_MODELS, {
              onError: (error) =>
                logger.error('projection failed; retrying', error instanceof Error ? error.stack : error),
            });
          },
        },
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
        LEDGER_DATABASE,
        EVENT_STORE,
        CommandHandler,
        IdempotencyStore,
        READ_MODEL_PROGRESS,
        ApiKeyRegistry,
        LedgerMetrics,
        CommandRunner,
      ],
    };
  }

  constructor(
    @Inject(READ_MODEL_PROGRESS) private readonly progress: ReadModelProgress,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_DATABASE) private readonly db: SqliteDatabase,
    @Inject(PROJECTION_DATABASE) private readonly projectionDb: SqliteDatabase,
  ) {}

  onApplicationBootstrap(): void {
    if (this.progress instanceof SqliteProjector) this.progress.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.progress instanceof SqliteProjector) await this.progress.stop();
    await this.store.close();
    this.projectionDb.close();
    this.db.close();
    this.logger.log('stores closed');
  }
}
