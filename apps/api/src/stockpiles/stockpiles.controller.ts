import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Money,
  parseCountry,
  parseMaterial,
  parseText,
  Quantity,
  type StockpileCommand,
  stockpileDecider,
  stockpileParticipantCountries,
  type StockpileState,
  stockpileStreamId,
} from '@ledger/domain';
import type { StockpileQueries } from '@ledger/projections';
import type { Request, Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { assertMayActFor } from '../auth/auth.guard';
import { CommandContext, type CommandRequest } from '../commands/command-request';
import type { CommandResultDto } from '../commands/command-result.dto';
import { CommandRunner } from '../commands/command-runner';
import { commandTimes } from '../commands/effective-at';
import { EntityIdParam } from '../commands/entity-id.pipe';
import { ApiCommand, ApiReport } from '../openapi/api-responses';
import { NotFoundProblem } from '../problems/problems';
import { streamCsv, wantsCsv } from '../queries/csv';
import { allPages } from '../queries/pages';
import { pageOf, ReportCuts, ReportQueryDto } from '../queries/report-query';
import { STOCKPILE_QUERIES } from '../wiring/tokens';
import {
  AcquireStockDto,
  EstablishStockpileDto,
  ReleaseStockDto,
  StockpileListQueryDto,
  TransferStockDto,
} from './stockpile.dto';
import { inventoryReadModel, stockpilesReadModel } from '@ledger/projections';

/** The read models this slice's queries read: a `minPosition` waits for these only. */
const READS = [stockpilesReadModel, inventoryReadModel].map((model) => model.name);
import { StockpilePageDto, StockpileViewDto } from './stockpile.responses';

const STOCKPILE_COLUMNS = ['stockpileId', 'name', 'custodian', 'participants', 'onHand'];
/** Rules every movement of stock may break. */
const MOVEMENT = ['before-establishment', 'effective-in-future'] as const;

@ApiTags('stockpiles')
@Controller('stockpiles')
export class StockpilesController {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(ReportCuts) private readonly cuts: ReportCuts,
    @Inject(STOCKPILE_QUERIES) private readonly queries: StockpileQueries,
  ) {}

  /** A command on an existing stockpile: recorders act only for stockpiles their countries take part in. */
  private runForParticipants(request: CommandRequest, response: Response, command: StockpileCommand) {
    return this.commands.run(request, response, {
      decider: stockpileDecider,
      streamId: stockpileStreamId(command.stockpileId),
      command,
      authorize: (state: StockpileState) => {
        if (state.status === 'established') {
          assertMayActFor(request.principal, stockpileParticipantCountries(state), 'this stockpile');
        }
      },
    });
  }

  @Post()
  @Roles('recorder')
  @ApiOperation({ summary: 'EstablishStockpile' })
  @ApiCommand({ creates: 'always', rules: ['duplicate-participant', 'shares-not-100'] })
  establish(
    @Body() body: EstablishStockpileDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    const stockpileId = body.id ?? request.newEntityId('stockpile');
    const participants = body.participants.map((participant, index) => ({
      country: parseCountry(participant.country, `participants[${index}].country`),
      sharePercent: participant.sharePercent,
    }));
    assertMayActFor(
      request.principal,
      participants.map((participant) => participant.country),
      'a stockpile without its countries',
    );
    return this.commands.run(request, response, {
      decider: stockpileDecider,
      streamId: stockpileStreamId(stockpileId),
      command: {
        type: 'EstablishStockpile',
        stockpileId,
        ...commandTimes(body),
        name: parseText(body.name, 'name'),
        custodian: parseText(body.custodian, 'custodian'),
        participants,
      },
    });
  }

  @Post(':id/acquisitions')
  @Roles('recorder')
  @ApiOperation({ summary: 'AcquireStock' })
  @ApiCommand({ existing: true, rules: MOVEMENT })
  acquire(
    @EntityIdParam() stockpileId: string,
    @Body() body: AcquireStockDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.runForParticipants(request, response, {
      type: 'AcquireStock',
      stockpileId,
      ...commandTimes(body),
      lotId: body.lotId ?? request.newEntityId('lot'),
      material: parseMaterial(body.material),
      quantity: Quantity.parse(body.quantity),
      location: parseText(body.location, 'location'),
      originCountry: parseCountry(body.originCountry, 'originCountry'),
      ...(body.cost === undefined ? {} : { cost: Money.parse(body.cost, 'cost') }),
    });
  }

  @Post(':id/releases')
  @Roles('recorder')
  @ApiOperation({ summary: 'ReleaseStock' })
  @ApiCommand({ existing: true, rules: [...MOVEMENT, 'insufficient-stock'] })
  release(
    @EntityIdParam() stockpileId: string,
    @Body() body: ReleaseStockDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.runForParticipants(request, response, {
      type: 'ReleaseStock',
      stockpileId,
      ...commandTimes(body),
      releaseId: body.releaseId ?? request.newEntityId('release'),
      material: parseMaterial(body.material),
      quantity: Quantity.parse(body.quantity),
      location: parseText(body.location, 'location'),
      recipient: parseText(body.recipient, 'recipient'),
      recipientCountry: parseCountry(body.recipientCountry, 'recipientCountry'),
      reason: parseText(body.reason, 'reason'),
      authorisationRef: parseText(body.authorisationRef, 'authorisationRef'),
    });
  }

  @Post(':id/transfers')
  @Roles('recorder')
  @ApiOperation({ summary: 'TransferStock' })
  @ApiCommand({ existing: true, rules: [...MOVEMENT, 'same-location', 'insufficient-stock'] })
  transfer(
    @EntityIdParam() stockpileId: string,
    @Body() body: TransferStockDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.runForParticipants(request, response, {
      type: 'TransferStock',
      stockpileId,
      ...commandTimes(body),
      transferId: body.transferId ?? request.newEntityId('transfer'),
      material: parseMaterial(body.material),
      quantity: Quantity.parse(body.quantity),
      fromLocation: parseText(body.fromLocation, 'fromLocation'),
      toLocation: parseText(body.toLocation, 'toLocation'),
    });
  }

  @Get()
  @Roles('reader', 'auditor')
  @ApiOperation({
    summary: 'Stockpiles with their participants and on-hand totals per material (a page, or CSV)',
  })
  @ApiReport(StockpilePageDto, { csv: STOCKPILE_COLUMNS })
  async list(
    @Query() query: StockpileListQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StockpilePageDto | void> {
    const cut = await this.cuts.cut(query, READS);
    const filter = {
      ...(query.participant === undefined
        ? {}
        : { participant: parseCountry(query.participant, 'participant') }),
      ...(query.material === undefined ? {} : { material: parseMaterial(query.material, 'material') }),
    };
    const page = pageOf(query);
    if (wantsCsv(request, query.format)) {
      return streamCsv(
        response,
        STOCKPILE_COLUMNS,
        allPages((cursor) => this.queries.stockpiles(filter, cut, { ...page, ...cursor })),
      );
    }
    return { asOf: cut.asOf, ...(await this.queries.stockpiles(filter, cut, page)) };
  }

  @Get(':id')
  @Roles('reader', 'auditor')
  @ApiOperation({ summary: 'Participants and on-hand balances, as of a date and as known at a time' })
  @ApiReport(StockpileViewDto, { notFound: true })
  async get(@EntityIdParam() stockpileId: string, @Query() query: ReportQueryDto): Promise<StockpileViewDto> {
    const cut = await this.cuts.cut(query, READS);
    const view = await this.queries.stockpile(stockpileId, cut);
    if (!view) throw new NotFoundProblem(`stockpile ${stockpileId} is not known at that time`);
    return view;
  }
}
