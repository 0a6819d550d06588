import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseCountry, parseMaterial } from '@ledger/domain';
import type { ExposureQueries } from '@ledger/projections';
import type { Request, Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { ApiReport } from '../openapi/api-responses';
import { sendCsv, wantsCsv } from '../queries/csv';
import { ReportCuts, ReportQueryDto } from '../queries/report-query';
import { EXPOSURE_QUERIES } from '../wiring/tokens';
import {
  inventoryReadModel,
  projectsReadModel,
  restrictionsReadModel,
  stockpilesReadModel,
  supplyReadModel,
} from '@ledger/projections';
import { CountryExposureDto, ExposureDto } from './exposure.responses';

const EXPOSURE_COLUMNS = [
  'country',
  'material',
  'asOf',
  'consumption',
  'consumptionYear',
  'sourcesYear',
  'hhi',
  'cr3',
  'restrictedShare',
  'stockpileHolding',
  'daysOfCover',
  'offtakeCoverage',
  'sources',
];

/** Exposure of an importing country (DOMAIN.md "Exposure"), as of a date and as known at a time. */
/** The read models this slice's queries read: a `minPosition` waits for these only. */
const READS = [
  supplyReadModel,
  restrictionsReadModel,
  stockpilesReadModel,
  inventoryReadModel,
  projectsReadModel,
].map((model) => model.name);

@ApiTags('exposure')
@Controller('exposure')
export class ExposureController {
  constructor(
    @Inject(ReportCuts) private readonly cuts: ReportCuts,
    @Inject(EXPOSURE_QUERIES) private readonly queries: ExposureQueries,
  ) {}

  @Get(':country/:material')
  @Roles('reader', 'auditor')
  @ApiOperation({ summary: 'Exposure of an importing country to one material (DOMAIN.md formulas)' })
  @ApiReport(ExposureDto, { csv: EXPOSURE_COLUMNS })
  async exposure(
    @Param('country') countryParam: string,
    @Param('material') materialParam: string,
    @Query() query: ReportQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ExposureDto | void> {
    const country = parseCountry(countryParam, 'country');
    const material = parseMaterial(materialParam, 'material');
    const cut = await this.cuts.cut(query, READS);
    const exposure = await this.queries.exposure(country, material, cut);
    if (wantsCsv(request, query.format)) return sendCsv(response, EXPOSURE_COLUMNS, [exposure]);
    return exposure;
  }

  @Get(':country')
  @Roles('reader', 'auditor')
  @ApiOperation({ summary: 'Exposure of an importing country to every material it has data for' })
  @ApiReport(CountryExposureDto, { csv: EXPOSURE_COLUMNS })
  async exposures(
    @Param('country') countryParam: string,
    @Query() query: ReportQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CountryExposureDto | void> {
    const country = parseCountry(countryParam, 'country');
    const cut = await this.cuts.cut(query, READS);
    const materials = await this.queries.materials(country, cut);
    const rows = await Promise.all(
      materials.map((material) => this.queries.exposure(country, material, cut)),
    );
    if (wantsCsv(request, query.format)) return sendCsv(response, EXPOSURE_COLUMNS, rows);
    return { country, asOf: cut.asOf, materials: rows };
  }
}
