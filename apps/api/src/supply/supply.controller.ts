import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  parseCountry,
  parseMaterial,
  Quantity,
  type SupplyCommand,
  supplyCountryOf,
  supplyDecider,
  supplyStreamId,
} from '@ledger/domain';
import type { Page, PageRequest, StatisticInForce, SupplyQueries } from '@ledger/projections';
import type { Request, Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { assertMayActFor } from '../auth/auth.guard';
import { CommandContext, type CommandRequest } from '../commands/command-request';
import type { CommandResultDto } from '../commands/command-result.dto';
import { CommandRunner } from '../commands/command-runner';
import { effectiveAtOf } from '../commands/effective-at';
import { ApiCommand, ApiReport } from '../openapi/api-responses';
import { streamCsv, wantsCsv } from '../queries/csv';
import { allPages } from '../queries/pages';
import { type ListQueryDto, pageOf, ReportCuts } from '../queries/report-query';
import { SUPPLY_QUERIES } from '../wiring/tokens';
import {
  ConsumptionQueryDto,
  RecordConsumptionDto,
  RecordTradeFlowDto,
  TradeFlowQueryDto,
} from './supply.dto';
import { supplyReadModel } from '@ledger/projections';
import { ConsumptionPageDto, TradeFlowPageDto } from './supply.responses';

const TRADE_COLUMNS = [
  'importer',
  'exporter',
  'material',
  'year',
  'annualQuantity',
  'effectiveAt',
  'recordedAt',
  'position',
];
const CONSUMPTION_COLUMNS = [
  'country',
  'material',
  'year',
  'annualQuantity',
  'effectiveAt',
  'recordedAt',
  'position',
];

/**
 * Supply statistics belong to the importing or consuming country: its stream, and its recorders. The
 * country is in the command itself, so it is checked before the stream is read.
 */
/** The read models this slice's queries read: a `minPosition` waits for these only. */
const READS = [supplyReadModel].map((model) => model.name);

@ApiTags('supply')
@Controller('supply')
export class SupplyController {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(ReportCuts) private readonly cuts: ReportCuts,
    @Inject(SUPPLY_QUERIES) private readonly queries: SupplyQueries,
  ) {}

  private run(request: CommandRequest, response: Response, command: SupplyCommand) {
    const country = supplyCountryOf(command);
    assertMayActFor(request.principal, [country], `supply statistics of ${country}`);
    return this.commands.run(request, response, {
      decider: supplyDecider,
      streamId: supplyStreamId(country),
      command,
    });
  }

  @Post('trade-flows')
  @Roles('recorder')
  @ApiOperation({ summary: 'RecordTradeFlow: a year’s imports of a material from one country' })
  @ApiCommand({ creates: 'first-of-stream', rules: ['same-country'] })
  recordTradeFlow(
    @Body() body: RecordTradeFlowDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.run(request, response, {
      type: 'RecordTradeFlow',
      effectiveAt: effectiveAtOf(body),
      importer: parseCountry(body.importer, 'importer'),
      exporter: parseCountry(body.exporter, 'exporter'),
      material: parseMaterial(body.material),
      year: body.year,
      annualQuantity: Quantity.parse(body.annualQuantity, 'annualQuantity'),
    });
  }

  @Post('consumption')
  @Roles('recorder')
  @ApiOperation({ summary: 'RecordConsumption: a year’s domestic consumption of a material' })
  @ApiCommand({ creates: 'first-of-stream', rules: [] })
  recordConsumption(
    @Body() body: RecordConsumptionDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.run(request, response, {
      type: 'RecordConsumption',
      effectiveAt: effectiveAtOf(body),
      country: parseCountry(body.country, 'country'),
      material: parseMaterial(body.material),
      year: body.year,
      annualQuantity: Quantity.parse(body.annualQuantity, 'annualQuantity'),
    });
  }

  @Get('trade-flows')
  @Roles('reader', 'auditor')
  @ApiOperation({
    summary: 'The trade flows in force (a revision supersedes the earlier one from when it is known)',
  })
  @ApiReport(TradeFlowPageDto, { csv: TRADE_COLUMNS })
  async tradeFlows(
    @Query() query: TradeFlowQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TradeFlowPageDto | void> {
    const cut = await this.cuts.cut(query, READS);
    const filter = {
      ...(query.importer === undefined ? {} : { country: parseCountry(query.importer, 'importer') }),
      ...(query.exporter === undefined ? {} : { exporter: parseCountry(query.exporter, 'exporter') }),
      ...(query.material === undefined ? {} : { material: parseMaterial(query.material, 'material') }),
      ...(query.year === undefined ? {} : { year: Number(query.year) }),
    };
    return pageOrCsv(request, response, query, cut.asOf, {
      columns: TRADE_COLUMNS,
      read: (page) => this.queries.tradeFlows(filter, cut, page),
      shape: ({ country, ...statistic }) => ({ importer: country, ...statistic }),
    });
  }

  @Get('consumption')
  @Roles('reader', 'auditor')
  @ApiOperation({ summary: 'The consumption statistics in force' })
  @ApiReport(ConsumptionPageDto, { csv: CONSUMPTION_COLUMNS })
  async consumption(
    @Query() query: ConsumptionQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ConsumptionPageDto | void> {
    const cut = await this.cuts.cut(query, READS);
    const filter = {
      ...(query.country === undefined ? {} : { country: parseCountry(query.country, 'country') }),
      ...(query.material === undefined ? {} : { material: parseMaterial(query.material, 'material') }),
      ...(query.year === undefined ? {} : { year: Number(query.year) }),
    };
    return pageOrCsv(request, response, query, cut.asOf, {
      columns: CONSUMPTION_COLUMNS,
      read: (page) => this.queries.consumption(filter, cut, page),
      shape: ({ exporter: _none, ...statistic }) => statistic,
    });
  }
}

/**
 * Trade flows and consumption are one read model's statistics in force, each list in its own shape: the
 * page `query` asks for, or every page as CSV (read a page at a time, shaped as it streams).
 */
async function pageOrCsv<Item extends object>(
  request: Request,
  response: Response,
  query: ListQueryDto,
  asOf: string,
  list: {
    columns: readonly string[];
    read: (page: PageRequest) => Promise<Page<StatisticInForce>>;
    shape: (statistic: StatisticInForce) => Item;
  },
): Promise<{ asOf: string; items: Item[]; nextCursor: string | null } | void> {
  const page = pageOf(query);
  const read = (cursor: { cursor?: string }) => list.read({ ...page, ...cursor });
  if (wantsCsv(request, query.format)) {
    return streamCsv(response, list.columns, mapPages(allPages(read), list.shape));
  }
  const { items, nextCursor } = await read({});
  return { asOf, items: items.map(list.shape), nextCursor };
}

async function* mapPages<In, Out>(pages: AsyncIterable<In[]>, map: (item: In) => Out): AsyncGenerator<Out[]> {
  for await (const page of pages) yield page.map(map);
}
