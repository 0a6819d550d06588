import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { parseCountry, parseMaterial } from '@ledger/domain';
import { FINANCING_GROUPINGS, type FinancingGrouping, type FinancingQueries } from '@ledger/projections';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { ApiReport } from '../openapi/api-responses';
import { sendCsv, wantsCsv } from '../queries/csv';
import { ReportCuts, ReportQueryDto } from '../queries/report-query';
import { FINANCING_QUERIES } from '../wiring/tokens';
import { projectsReadModel } from '@ledger/projections';
import { FinancingReportDto } from './financing.responses';

const FINANCING_COLUMNS = ['group', 'currency', 'amount', 'financings'];

export class FinancingQueryDto extends ReportQueryDto {
  @ApiProperty({ enum: FINANCING_GROUPINGS, example: 'instrument' })
  @IsIn(FINANCING_GROUPINGS)
  groupBy!: string;

  @ApiPropertyOptional({ description: 'the project’s country', example: 'CA' })
  @IsOptional()
  @IsString()
  @MaxLength(2)
  country?: string;

  @ApiPropertyOptional({ description: 'projects that produce this material', example: 'graphite-anode' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;
}

/** DOMAIN.md "Financing": sums per group and original currency, never converted, with counts. */
/** The read models this slice's queries read: a `minPosition` waits for these only. */
const READS = [projectsReadModel].map((model) => model.name);

@ApiTags('reports')
@Controller('reports')
export class FinancingController {
  constructor(
    @Inject(ReportCuts) private readonly cuts: ReportCuts,
    @Inject(FINANCING_QUERIES) private readonly queries: FinancingQueries,
  ) {}

  @Get('financing')
  @Roles('reader', 'auditor')
  @ApiOperation({
    summary: 'Financing summed per stage (on asOf), instrument or financier country, per currency',
  })
  @ApiReport(FinancingReportDto, { csv: FINANCING_COLUMNS })
  async financing(
    @Query() query: FinancingQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<FinancingReportDto | void> {
    const cut = await this.cuts.cut(query, READS);
    const report = await this.queries.financing(
      query.groupBy as FinancingGrouping,
      {
        ...(query.country === undefined ? {} : { country: parseCountry(query.country, 'country') }),
        ...(query.material === undefined ? {} : { material: parseMaterial(query.material, 'material') }),
      },
      cut,
    );
    if (wantsCsv(request, query.format)) {
      const rows = report.groups.flatMap((group) =>
        group.totals.map((total) => ({ group: group.group, ...total })),
      );
      return sendCsv(response, FINANCING_COLUMNS, rows);
    }
    return report;
  }
}
