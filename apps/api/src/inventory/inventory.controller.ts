import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { SqliteDatabase } from '@ledger/event-store';
import { queryInventory } from '@ledger/projections';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { LEDGER_DATABASE } from '../ledger/ledger.tokens';
import { sendCsv, wantsCsv } from '../reports/csv';
import { parseCut, ReadModelGate, ReportQueryDto } from '../reports/report-query';

export class InventoryQueryDto extends ReportQueryDto {
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

@ApiTags('reports')
@ApiBearerAuth()
@Controller('inventory')
export class InventoryController {
  constructor(
    @Inject(ReadModelGate) private readonly gate: ReadModelGate,
    @Inject(LEDGER_DATABASE) private readonly db: SqliteDatabase,
  ) {}

  @Get()
  @Roles('reader', 'auditor')
  @ApiOperation({ summary: 'On-hand balances per (stockpile, material, location), in canonical kilograms' })
  async list(
    @Query() query: InventoryQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const cut = parseCut(query);
    await this.gate.reach(query);
    const rows = queryInventory(
      this.db,
      {
        ...(query.stockpile === undefined ? {} : { stockpileId: query.stockpile }),
        ...(query.material === undefined ? {} : { material: query.material }),
        ...(query.location === undefined ? {} : { location: query.location }),
      },
      cut,
    );
    if (wantsCsv(request, query.format))
      return sendCsv(response, COLUMNS, rows as unknown as Record<string, unknown>[]);
    return { asOf: cut.asOf, rows };
  }
}
