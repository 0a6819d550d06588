import {
  Controller,
  type DynamicModule,
  Get,
  Header,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Res,
} from '@nestjs/common';
import {
  type EventStore,
  openSqliteDatabase,
  type SqliteDatabase,
  createEventStore,
  sqliteFileOf,
  type StoreConfig,
} from '@ledger/event-store';
import {
  lagMetricLines,
  projectionLag,
  readiness,
  SQLITE_READ_MODELS,
  SqliteProjector,
} from '@ledger/projections';
import type { Response } from 'express';

const DATABASE = Symbol('DATABASE');
const EVENT_STORE = Symbol('EVENT_STORE');

/** No routes but health, readiness and metrics: the projector's work is in the read models. */
@Controller()
class ProjectorOperationsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SqliteProjector) private readonly projector: SqliteProjector,
  ) {}

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    const { ready, body } = readiness(await projectionLag(this.store, this.projector));
    response.status(ready ? 200 : 503);
    return body;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics() {
    return `${lagMetricLines(await projectionLag(this.store, this.projector)).join('\n')}\n`;
  }
}

/**
 * The projector as its own process: it follows the log and keeps the read models of the shared store
 * current. Run one per read-model store; the API then runs with LEDGER_PROJECTOR=external.
 */
@Module({})
export class ProjectorModule implements OnApplicationBootstrap, OnApplicationShutdown {
  static forConfig(config: StoreConfig, options: { batchSize?: number } = {}): DynamicModule {
    return {
      module: ProjectorModule,
      controllers: [ProjectorOperationsController],
      providers: [
        // Only derived data is written here: commits need not be fsynced one by one (see openSqliteDatabase).
        {
          provide: DATABASE,
          useFactory: () => openSqliteDatabase(sqliteFileOf(config), { synchronous: 'NORMAL' }),
        },
        {
          provide: EVENT_STORE,
          inject: [DATABASE],
          useFactory: (db: SqliteDatabase) => createEventStore(config, db),
        },
        {
          provide: SqliteProjector,
          inject: [DATABASE, EVENT_STORE],
          useFactory: (db: SqliteDatabase, store: EventStore) => {
            const logger = new Logger('Projector');
            return new SqliteProjector(db, store, SQLITE_READ_MODELS, {
              ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
              onError: (error) =>
                logger.error('projection failed; retrying', error instanceof Error ? error.stack : error),
            });
          },
        },
      ],
    };
  }

  constructor(
    @Inject(SqliteProjector) private readonly projector: SqliteProjector,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE) private readonly db: SqliteDatabase,
  ) {}

  onApplicationBootstrap(): void {
    this.projector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projector.stop();
    await this.store.close();
    this.db.close();
  }
}
