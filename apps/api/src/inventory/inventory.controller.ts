import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { InventoryQueries } from '@ledger/projections';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { ApiReport } from '../openapi/api-responses';
import { streamCsv, wantsCsv } from '../queries/csv';
import { allPages } from '../queries/pages';
import { ListQueryDto, pageOf, ReportCuts } from '../queries/report-query';
import { INVENTORY_QUERIES } from '../wiring/tokens';
import { inventoryReadModel } from '@ledger/projections';
import { InventoryPageDto } from './inventory.responses';

export class InventoryQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'stockpile id' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  stockpile?: string;

  @ApiPropertyOptional({ example: 'graphite-anode' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  location?: string;
}

const COLUMNS = [
  'stockpileId',
  'material',
  'location',
  'onHand',
  'acquired',
  'released',
  'transferredIn',
  'transferredOut',
];

/** The read models this slice's queries read: a `minPosition` waits for these only. */
const READS = [inventoryReadModel].map((model) => model.name);

@ApiTags('inventory')
@Controller('inventory')
export class InventoryController {
  constructor(
    @Inject(ReportCuts) private readonly cuts: ReportCuts,
    @Inject(INVENTORY_QUERIES) private readonly queries: InventoryQueries,
  ) {}

  @Get()
  @Roles('reader', 'auditor')
  @ApiOperation({
    summary: 'On-hand balances per (stockpile, material, location), in canonical kilograms',
    description:
      'A page of `rows` in key order (up to `limit`, default 1000) with `nextCursor` (null on the last page); as CSV, every row, streamed.',
  })
  @ApiReport(InventoryPageDto, { csv: COLUMNS })
  async list(
    @Query() query: InventoryQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<InventoryPageDto | void> {
    const cut = await this.cuts.cut(query, READS);
    const filter = {
      ...(query.stockpile === undefined ? {} : { stockpileIds: [query.stockpile] }),
      ...(query.material === undefined ? {} : { material: query.material }),
      ...(query.location === undefined ? {} : { location: query.location }),
    };
    // a whole small ledger in one answer, as before lists paged; larger ones continue with nextCursor
    const page = pageOf(query, 1000);
    if (wantsCsv(request, query.format)) {
      return streamCsv(
        response,
        COLUMNS,
        allPages((cursor) => this.queries.inventory(filter, cut, { ...page, ...cursor })),
      );
    }
    const { items, nextCursor } = await this.queries.inventory(filter, cut, page);
    return { asOf: cut.asOf, rows: items, nextCursor };
  }
}
