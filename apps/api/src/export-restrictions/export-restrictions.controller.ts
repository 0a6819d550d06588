import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  EVERY_DESTINATION,
  exportRestrictionDecider,
  exportRestrictionStreamId,
  parseCountry,
  parseDay,
  parseMaterial,
  parseText,
  type RestrictionMeasure,
} from '@ledger/domain';
import type { RestrictionQueries } from '@ledger/projections';
import type { Request, Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { CommandContext, type CommandRequest } from '../commands/command-request';
import type { CommandResultDto } from '../commands/command-result.dto';
import { CommandRunner } from '../commands/command-runner';
import { effectiveAtOf } from '../commands/effective-at';
import { EntityIdParam } from '../commands/entity-id.pipe';
import { ApiCommand, ApiReport } from '../openapi/api-responses';
import { NotFoundProblem } from '../problems/problems';
import { sendCsv, wantsCsv } from '../queries/csv';
import { ReportCuts, ReportQueryDto } from '../queries/report-query';
import { RESTRICTION_QUERIES } from '../wiring/tokens';
import {
  LiftRestrictionDto,
  RestrictExportsDto,
  RestrictionsQueryDto,
  RestrictionTimelineQueryDto,
} from './export-restriction.dto';
import { restrictionsReadModel } from '@ledger/projections';
import {
  ActiveRestrictionsDto,
  RestrictionHistoryDto,
  RestrictionTimelineDto,
} from './export-restriction.responses';

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
const HISTORY_COLUMNS = [
  'restrictionId',
  'event',
  'from',
  'effectiveAt',
  'recordedAt',
  'position',
  ...RESTRICTION_COLUMNS.slice(1),
];
const PERIOD_COLUMNS = ['restrictionId', 'imposedBy', 'measure', 'legalReference', 'from', 'to'];

/**
 * A restriction is imposed by a foreign government, not by the recorder's own country, so any recorder
 * may record or lift one (API.md); readers and auditors are refused by the role guard.
 */
/** The read models this slice's queries read: a `minPosition` waits for these only. */
const READS = [restrictionsReadModel].map((model) => model.name);

@ApiTags('export-restrictions')
@Controller('export-restrictions')
export class ExportRestrictionsController {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(ReportCuts) private readonly cuts: ReportCuts,
    @Inject(RESTRICTION_QUERIES) private readonly queries: RestrictionQueries,
  ) {}

  @Post()
  @Roles('recorder')
  @ApiOperation({ summary: 'RestrictExports: a licensing requirement or a ban on exports' })
  @ApiCommand({
    creates: 'always',
    rules: ['duplicate-material', 'duplicate-destination', 'self-restriction', 'invalid-dates'],
  })
  restrict(
    @Body() body: RestrictExportsDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    const restrictionId = body.id ?? request.newEntityId('exportRestriction');
    return this.commands.run(request, response, {
      decider: exportRestrictionDecider,
      streamId: exportRestrictionStreamId(restrictionId),
      command: {
        type: 'RestrictExports',
        restrictionId,
        effectiveAt: effectiveAtOf(body),
        imposedBy: parseCountry(body.imposedBy, 'imposedBy'),
        materials: body.materials.map((material, index) => parseMaterial(material, `materials[${index}]`)),
        measure: body.measure as RestrictionMeasure,
        appliesTo: body.appliesTo.map((destination, index) =>
          destination === EVERY_DESTINATION
            ? EVERY_DESTINATION
            : parseCountry(destination, `appliesTo[${index}]`),
        ),
        announcedOn: parseDay(body.announcedOn, 'announcedOn'),
        effectiveFrom: parseDay(body.effectiveFrom, 'effectiveFrom'),
        legalReference: parseText(body.legalReference, 'legalReference'),
      },
    });
  }

  @Post(':id/lift')
  @Roles('recorder')
  @ApiOperation({ summary: 'LiftRestriction: once, and not before the measure took effect' })
  @ApiCommand({ existing: true, rules: ['already-lifted', 'lift-before-effective'] })
  lift(
    @EntityIdParam() restrictionId: string,
    @Body() body: LiftRestrictionDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.commands.run(request, response, {
      decider: exportRestrictionDecider,
      streamId: exportRestrictionStreamId(restrictionId),
      command: {
        type: 'LiftRestriction',
        restrictionId,
        effectiveAt: effectiveAtOf(body),
        effectiveFrom: parseDay(body.effectiveFrom, 'effectiveFrom'),
      },
    });
  }

  @Get()
  @Roles('reader', 'auditor')
  @ApiOperation({
    summary: 'The export restrictions active on a day, optionally for one material and importer',
  })
  @ApiReport(ActiveRestrictionsDto, { csv: RESTRICTION_COLUMNS })
  async active(
    @Query() query: RestrictionsQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ActiveRestrictionsDto | void> {
    const cut = await this.cuts.cut(query, READS);
    const activeOn =
      query.activeOn === undefined ? cut.asOf.slice(0, 10) : parseDay(query.activeOn, 'activeOn');
    const rows = await this.queries.active(
      {
        activeOn,
        ...(query.material === undefined ? {} : { material: parseMaterial(query.material, 'material') }),
        ...(query.importer === undefined ? {} : { importer: parseCountry(query.importer, 'importer') }),
      },
      cut,
    );
    if (wantsCsv(request, query.format)) return sendCsv(response, RESTRICTION_COLUMNS, rows);
    return { activeOn, rows };
  }

  // Declared before ':id', which would otherwise take "timeline" for an id.
  @Get('timeline')
  @Roles('reader', 'auditor')
  @ApiOperation({
    summary: 'The periods [from, to) during which each measure applied to an importer and material',
  })
  @ApiReport(RestrictionTimelineDto, { csv: PERIOD_COLUMNS })
  async timeline(
    @Query() query: RestrictionTimelineQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RestrictionTimelineDto | void> {
    const cut = await this.cuts.cut(query, READS);
    const importer = parseCountry(query.importer, 'importer');
    const material = parseMaterial(query.material, 'material');
    const periods = await this.queries.timeline(importer, material, cut);
    if (wantsCsv(request, query.format)) return sendCsv(response, PERIOD_COLUMNS, periods);
    return { importer, material, periods };
  }

  @Get(':id')
  @Roles('reader', 'auditor')
  @ApiOperation({ summary: 'One measure with its history (imposed, lifted), as known at knownAt' })
  @ApiReport(RestrictionHistoryDto, { csv: HISTORY_COLUMNS, notFound: true })
  async restriction(
    @EntityIdParam() restrictionId: string,
    @Query() query: ReportQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RestrictionHistoryDto | void> {
    const cut = await this.cuts.cut(query, READS);
    const found = await this.queries.restriction(restrictionId, cut);
    if (!found) throw new NotFoundProblem(`export restriction ${restrictionId} is not known at that time`);
    if (wantsCsv(request, query.format)) {
      // one row per event of its history, each with the measure's terms
      const { history, ...measure } = found;
      return sendCsv(
        response,
        HISTORY_COLUMNS,
        history.map((entry) => ({ ...measure, ...entry })),
      );
    }
    return found;
  }
}
