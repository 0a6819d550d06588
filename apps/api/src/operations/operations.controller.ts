import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Projector, readiness } from '@ledger/projections';
import type { Response } from 'express';
import { Public, Roles } from '../auth/auth.decorators';
import { LedgerMetrics } from '../observability/ledger-metrics';
import { ApiJson, ApiText } from '../openapi/api-responses';
import { HealthDto, ReadinessDto, ReadModelProgressDto } from './operations.responses';
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
  @ApiJson(200, HealthDto, 'The process answers')
  health(): HealthDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary: 'Readiness: stores reachable, no read model stopped on an error, all caught up within a bound',
  })
  @ApiJson(200, ReadinessDto, 'Ready: every read model is caught up within the bound')
  @ApiJson(
    503,
    ReadinessDto,
    'Not ready: `status` catching-up (with each model’s progress) or failed (naming the model and event)',
  )
  @ApiExtraModels(ReadModelProgressDto)
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessDto> {
    // The report reads the head of the log and the checkpoints: it also proves both stores answer.
    const { ready, body } = readiness(await this.projector.report());
    response.status(ready ? 200 : 503);
    return body;
  }

  @Get('metrics')
  @Roles('reader', 'auditor')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiText('text/plain', 'Prometheus text format 0.0.4')
  async render(): Promise<string> {
    return this.metrics.render(await this.projector.report());
  }
}
