import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@ledger/event-store';
import { projectionLag, type ReadModelProgress, readiness } from '@ledger/projections';
import type { Response } from 'express';
import { Public, Roles } from '../auth/auth.decorators';
import { EVENT_STORE, READ_MODEL_PROGRESS } from '../ledger/ledger.tokens';
import { LedgerMetrics } from './ledger-metrics';

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
    // Reading the head also proves the event store answers; a failure here is a 503 from the filter.
    const head = await this.store.headPosition();
    const { ready, body } = readiness(await projectionLag(this.store, this.projector));
    response.status(ready ? 200 : 503);
    return { ...body, headPosition: head.toString() };
  }

  @Get('metrics')
  @Roles('reader', 'auditor')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics' })
  async render() {
    return this.metrics.render(await projectionLag(this.store, this.projector));
  }
}
