import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@ledger/event-store';
import { projectionLag, type ReadModelProgress } from '@ledger/projections';
import type { Response } from 'express';
import { Public, Roles } from '../auth/auth.decorators';
import { EVENT_STORE, READ_MODEL_PROGRESS } from '../ledger/ledger.tokens';
import { LedgerMetrics } from './ledger-metrics';

/** Read models further behind the log than this are "not ready": queries would show stale data. */
const READY_LAG_BOUND = 1000n;

@ApiTags('operations')
@Controller()
export class OperationsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_PROGRESS) private readonly projector: ReadModelProgress,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
  ) {}

  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: stores reachable and read models caught up within a bound' })
  async ready(@Res({ passthrough: true }) response: Response) {
    const head = await this.store.headPosition();
    const lag = this.lagByReadModel(head);
    const ready = [...lag.values()].every((behind) => behind <= READY_LAG_BOUND);
    response.status(ready ? 200 : 503);
    return {
      status: ready ? 'ready' : 'catching-up',
      headPosition: head.toString(),
      readModels: Object.fromEntries([...lag].map(([name, behind]) => [name, { lag: behind.toString() }])),
    };
  }

  @Get('metrics')
  @Roles('reader', 'auditor', 'recorder')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics' })
  async render() {
    return this.metrics.render(this.lagByReadModel(await this.store.headPosition()));
  }

  private lagByReadModel(head: bigint): Map<string, bigint> {
    return projectionLag(head, this.projector);
  }
}
