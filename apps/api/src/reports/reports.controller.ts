import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { parseCountry, parseDay, parseMaterial } from '@ledger/domain';
import type { SqliteDatabase } from '@ledger/event-store';
import {
  type Exposure,
  queryActiveRestrictions,
  queryExposure,
  queryExposureMaterials,
  queryProject,
} from '@ledger/projections';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { EntityIdParam } from '../commands/entity-id.pipe';
import { LEDGER_DATABASE } from '../ledger/ledger.tokens';
import { NotFoundProblem } from '../problems/problems';
import { sendCsv, wantsCsv } from './csv';
import { parseCut, ReadModelGate, ReportQueryDto } from './report-query';

export class RestrictionsQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ description: 'the day D (default: the asOf day)', example: '2026-03-01' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  activeOn?: string;

  @ApiPropertyOptional({ example: 'gallium' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;

  @ApiPropertyOptional({ example: 'JP' })
  @IsOptional()
  @IsString()
  @MaxLength(2)
  importer?: string;
}

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
const RESTRICTION_COLUMNS = [
  'restrictionId',
  'imposedBy',
  'measure',
  'materials',
  'appliesTo',
  'announcedOn',
  'effectiveFrom',
  'liftedFrom',
  'legalReference',
];
const OFFTAKE_COLUMNS = [
  'offtakeId',
  'buyer',
  'buyerCountry',
  'material',
  'annualVolume',
  'startsOn',
  'endsOn',
  'terminatedOn',
  'delivered',
  'inForce',
];

type Row = Record<string, unknown>;

/**
 * The read side of API.md: every report answers from rows that carry both times, cut at `asOf` and
 * `knownAt`, after waiting for `minPosition`; `Accept: text/csv` or `?format=csv` gives the same rows.
 */
@ApiTags('reports')
@ApiBearerAuth()
@Controller()
export class ReportsController {
  constructor(
    @Inject(ReadModelGate) private readonly gate: ReadModelGate,
    @Inject(LEDGER_DATABASE) private readonly db: SqliteDatabase,
  ) {}

  @Get('exposure/:country/:material')
  @Roles('reader', 'auditor')
  @ApiOperation({ summary: 'Exposure of an importing country to one material (DOMAIN.md formulas)' })
  async exposure(
    @Param('country') countryParam: string,
    @Param('material') materialParam: string,
    @Query() query: ReportQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const country = parseCountry(countryParam, 'country');
    const material = parseMaterial(materialParam, 'material');
    const cut = parseCut(query);
    await this.gate.reach(query);
    const exposure = queryExposure(this.db, country, material, cut);
    if (wantsCsv(request, query.format))
      return sendCsv(response, EXPOSURE_COLUMNS, [exposure as unknown as Row]);
    return exposure;
  }

  @Get('exposure/:country')
  @Roles('reader', 'auditor')
  @ApiOperation({ summary: 'Exposure of an importing country to every material it has data for' })
  async exposures(
    @Param('country') countryParam: string,
    @Query() query: ReportQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const country = parseCountry(countryParam, 'country');
    const cut = parseCut(query);
    await this.gate.reach(query);
    const rows: Exposure[] = queryExposureMaterials(this.db, country, cut).map((material) =>
      queryExposure(this.db, country, material, cut),
    );
    if (wantsCsv(request, query.format)) return sendCsv(response, EXPOSURE_COLUMNS, rows as unknown as Row[]);
    return { country, asOf: cut.asOf, materials: rows };
  }

  @Get('export-restrictions')
  @Roles('reader', 'auditor')
  @ApiOperation({
    summary: 'The export restrictions active on a day, optionally for one material and importer',
  })
  async restrictions(
    @Query() query: RestrictionsQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const cut = parseCut(query);
    const activeOn =
      query.activeOn === undefined ? cut.asOf.slice(0, 10) : parseDay(query.activeOn, 'activeOn');
    const filter = {
      activeOn,
      ...(query.material === undefined ? {} : { material: parseMaterial(query.material, 'material') }),
      ...(query.importer === undefined ? {} : { importer: parseCountry(query.importer, 'importer') }),
    };
    await this.gate.reach(query);
    const rows = queryActiveRestrictions(this.db, filter, cut);
    if (wantsCsv(request, query.format))
      return sendCsv(response, RESTRICTION_COLUMNS, rows as unknown as Row[]);
    return { activeOn, rows };
  }

  @Get('projects/:id')
  @Roles('reader', 'auditor')
  @ApiOperation({ summary: 'A project: stage, capacity per material, financings, offtake book' })
  async project(
    @EntityIdParam() projectId: string,
    @Query() query: ReportQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const cut = parseCut(query);
    await this.gate.reach(query);
    const view = queryProject(this.db, projectId, cut);
    if (!view) throw new NotFoundProblem(`project ${projectId} is not known at that time`);
    if (wantsCsv(request, query.format))
      return sendCsv(response, OFFTAKE_COLUMNS, view.offtakes as unknown as Row[]);
    return view;
  }
}
