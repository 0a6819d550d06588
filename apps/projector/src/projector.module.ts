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
import type { StoreConfig } from '@ledger/event-store';
import { createProjector, type LedgerStores, projectionMetricLines, readiness } from '@ledger/projections';
import type { Response } from 'express';

const STORES = Symbol('STORES');

/** No routes but health, readiness and metrics (the API's own answers): the work is in the read models. */
@Controller()
class ProjectorOperationsController {
  constructor(@Inject(STORES) private readonly stores: LedgerStores) {}

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    const { ready, body } = readiness(await this.stores.projector.report());
    response.status(ready ? 200 : 503);
    return body;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics() {
    return `${projectionMetricLines(await this.stores.projector.report()).join('\n')}\n`;
  }
}

/**
 * The projector as its own process, started the one way both apps start it (`createProjector`). Any number
 * may run: one holds the read-model store's projector lock and projects, the others stand by and take over
 * within seconds when it dies. The API then runs with LEDGER_PROJECTOR=external.
 */
@Module({})
export class ProjectorModule implements OnApplicationBootstrap, OnApplicationShutdown {
  static forConfig(config: StoreConfig, options: { batchSize?: number } = {}): DynamicModule {
    const logger = new Logger('Projector');
    return {
      module: ProjectorModule,
      controllers: [ProjectorOperationsController],
      providers: [
        {
          provide: STORES,
          useFactory: () =>
            createProjector(config, {
              ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
              logger: {
                log: (message) => logger.log(message),
                warn: (message) => logger.warn(message),
                error: (message) => logger.error(message),
              },
            }),
        },
      ],
    };
  }

  constructor(@Inject(STORES) private readonly stores: LedgerStores) {}

  onApplicationBootstrap(): void {
    this.stores.projector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stores.close();
  }
}
