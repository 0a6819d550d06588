import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Projector, readiness } from '@ledger/projections';
import type { Response } from 'express';
import { Public, Roles } from '../auth/auth.decorators';
import { LedgerMetrics } from '../observability/ledger-metrics';
import { PROJECTOR } from '../wiring/tokens';

@ApiTags('operations')
@Controller()
export class OperationsController {
  constructor(
    @Inject(PROJECTOR) private readonly projector: Projector,
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
  @ApiOperation({
    summary: 'Readiness: stores reachable, no read model stopped on an error, all caught up within a bound',
  })
  async ready(@Res({ passthrough: true }) response: Response) {
    // The report reads the head of the log and the checkpoints: it also proves both stores answer.
    const { ready, body } = readiness(await this.projector.report());
    response.status(ready ? 200 : 503);
    return body;
  }

  @Get('metrics')
  @Roles('reader', 'auditor')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics' })
  async render() {
    return this.metrics.render(await this.projector.report());
  }
}
